#!/usr/bin/env bash
# Executes every notebook headlessly, as CI does, and renders each to HTML.
# Usage: scripts/notebooks.sh [--quick] [notebook ...]     (default: all of notebooks/*.ipynb)
#   --quick  sets EIGENFORMER_QUICK=1: the lesson notebooks (06, 07, 08) train each model for a
#            fraction of its steps, so every cell runs and plots in minutes, but the figures
#            are not the lessons' (CI uses it; the text of a notebook quotes full runs)
# A notebook fails on any cell error, or when a cell that plots shows no image.
# Results: build-notebooks/NAME.ipynb (executed) and build-notebooks/NAME.html.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh jupyter-notebook jupyter-nbconvert python3-ipykernel python3-matplotlib python3-numpy \
  python3-scipy bible-kjv  # 08: curve fits; the King James Bible, its corpus
out=build-notebooks
mkdir -p "$out"
if [[ ${1:-} == --quick ]]; then
  export EIGENFORMER_QUICK=1
  shift
fi
notebooks=("$@")
((${#notebooks[@]})) || notebooks=(notebooks/*.ipynb)

passed=0 failed=0
for notebook in "${notebooks[@]}"; do
  name=$(basename "$notebook" .ipynb)
  start=$SECONDS
  # The kernel starts in notebooks/ (so `%load_ext cpp_magic` finds the magic), as in a Jupyter server.
  if /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=900 \
       --output-dir "$out" "$notebook" >"$out/$name.log" 2>&1 &&
     /usr/bin/python3 scripts/check_notebook_images.py "$out/$name.ipynb"; then
    /usr/bin/jupyter nbconvert --to html --output-dir "$out" "$out/$name.ipynb" >>"$out/$name.log" 2>&1
    passed=$((passed + 1))
    echo "passed: $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "FAILED: $name ($((SECONDS - start)) s)"
    tail -30 "$out/$name.log"
  fi
done
echo "notebooks: $passed passed, $failed failed"
((failed == 0))
