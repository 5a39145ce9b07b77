#!/usr/bin/env bash
# eigenformer against PyTorch on this CPU, 1 and 2 threads: builds, races, prints one table.
# Usage: bench/race.sh [--baseline-commit REV] [race.py options, e.g. --threads 1 --rounds 5 --only small]
# --baseline-commit REV also builds REV (in a git worktree, build-baseline/) and races it
# in the same rounds: the table then shows what a change did to every ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh python3-torch libopenblas-dev
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DEIGENFORMER_BUILD_BENCHMARKS=ON \
  -DEIGENFORMER_BUILD_TESTS=OFF -DEIGENFORMER_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target race_step
baseline=()
if [ "${1:-}" = "--baseline-commit" ]; then
  rm -rf build-baseline && git worktree prune
  git worktree add --detach build-baseline "$2" >/dev/null
  cmake -S build-baseline -B build-baseline/build -DCMAKE_BUILD_TYPE=Release -DEIGENFORMER_BUILD_BENCHMARKS=ON \
    -DEIGENFORMER_BUILD_TESTS=OFF -DEIGENFORMER_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build build-baseline/build -j "$(nproc)" --target race_step
  baseline=(--baseline build-baseline/build/bench/race_step)
  shift 2
fi
/usr/bin/python3 bench/race.py --race-step build-bench/bench/race_step "${baseline[@]}" "$@"
