#!/usr/bin/env bash
# The graded exercises (notebooks/exercises/): every grader proven, every exercise notebook run.
#   1. the proof: with its solution each grader passes every check; with the notebook's
#      untouched stub it fails; with each planted bug it fails with the hint expected
#      (notebooks/exercises/exercise.py --prove);
#   2. every exercise notebook executed as a student first opens it (stub in place: the
#      grader cell prints FAILs, and the notebook must still run to the end).
# Usage: scripts/exercises.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh g++ libeigen3-dev jupyter-notebook jupyter-nbconvert python3-ipykernel
/usr/bin/python3 notebooks/exercises/exercise.py --prove
scripts/notebooks.sh notebooks/exercises/*.ipynb
