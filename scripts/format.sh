#!/usr/bin/env bash
# clang-format over every C++ file of the tree (.clang-format holds the style).
# Usage: scripts/format.sh           reformat in place
#        scripts/format.sh --check   change nothing; fail and list the files that differ (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh clang-format
mapfile -t files < <(git ls-files '*.hpp' '*.cpp')
if [ "${1:-}" = "--check" ]; then
  if clang-format --dry-run -Werror "${files[@]}" 2>/dev/null; then
    echo "clang-format: ${#files[@]} files clean"
  else
    clang-format --dry-run "${files[@]}" 2>&1 | grep -o '^[^:]*\.[ch]pp' | sort -u | sed 's/^/  differs: /'
    echo "clang-format: run scripts/format.sh to fix"
    exit 1
  fi
else
  clang-format -i "${files[@]}"
fi
