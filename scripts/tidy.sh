#!/usr/bin/env bash
# clang-tidy on every eigenformer header (.clang-tidy holds the checks); fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh clang-tidy
mkdir -p build-tidy
status=0
for header in $(find include/eigenformer -name '*.hpp' | sort); do
  # Each header on its own, as a translation unit: it must compile alone, too.
  clang-tidy --quiet "$header" -- -x c++ -std=c++20 -I include -isystem /usr/include/eigen3 -fopenmp \
    2>/dev/null || status=1
done
if ((status == 0)); then echo "clang-tidy: clean"; else echo "clang-tidy: findings above"; fi
exit $status
