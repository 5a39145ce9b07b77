#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through CTest.
# Usage: scripts/test.sh              (build/)
#        scripts/test.sh --sanitize   (build-sanitize/, AddressSanitizer + UndefinedBehaviorSanitizer)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh libopenmpi-dev openmpi-bin python3  # MPI: dist/'s tests; python3: the layering check

build=build
options=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  build=build-sanitize
  # also the pure-Eigen path: GEMMs in Eigen itself, not OpenBLAS
  # -O1 -g1: sanitizers want some optimization and line numbers; cheaper to build than -O2 -g.
  options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DEIGENFORMER_SANITIZE=ON
           -DEIGENFORMER_BUILD_EXAMPLES=OFF -DEIGENFORMER_USE_OPENBLAS=OFF
           -DEIGENFORMER_USE_MPI=OFF)  # OpenMPI's own allocations at exit read as leaks to ASan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

jobs=$(nproc)
cmake -S . -B "$build" "${options[@]}" >/dev/null
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" -j "$jobs" --output-on-failure
