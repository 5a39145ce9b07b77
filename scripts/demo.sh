#!/usr/bin/env bash
# Installs what is missing, builds, and runs the flagship demo. Extra arguments go to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh

demo=induction_heads
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target "$demo"
exec "build/examples/$demo" "$@"
