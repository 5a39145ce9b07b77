#!/usr/bin/env bash
# eigenformer against PyTorch on this CPU, 1 and 2 threads: builds, races, prints one table.
# Usage: bench/race.sh [race.py options, e.g. --threads 1 --rounds 5 --only small]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh python3-torch libopenblas-dev
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DEIGENFORMER_BUILD_BENCHMARKS=ON \
  -DEIGENFORMER_BUILD_TESTS=OFF -DEIGENFORMER_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target race_step
/usr/bin/python3 bench/race.py --race-step build-bench/bench/race_step "$@"
