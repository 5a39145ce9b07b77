#!/usr/bin/env bash
# clang-tidy on eigenformer's headers (.clang-tidy holds the checks); fails on any finding.
# The examples are the translation units: together they instantiate every component
# (GPT and its layers, VectorTransformer, tokenizers, trainer, checkpoints, probes),
# and HeaderFilterRegex reports what is found in include/eigenformer/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh clang-tidy
flags=(-x c++ -std=c++20 -I include -isystem /usr/include/eigen3 -fopenmp -march=native)
if printf '%s\n' examples/*.cpp | xargs -P "$(nproc)" -I{} clang-tidy --quiet {} -- "${flags[@]}"; then
  echo "clang-tidy: clean"
else
  echo "clang-tidy: findings above"
  exit 1
fi
