#!/usr/bin/env bash
# What a student waits for on every edit: the compile time and memory of the README's GPT
# program beside a plain Eigen matrix-product file, measured alternately (the machine is
# shared: a ratio of neighbours drifts less than a time). Prints the median CPU seconds
# (user + sys) and peak memory of `g++ -c` over the rounds, for the plain file, a file
# that only includes the umbrella header, and the GPT program compiled header-only and
# as this tree compiles it (with eigenformer/prebuilt.hpp: the common instances compiled
# once, in the eigenformer_prebuilt library).
# --baseline-commit REV adds REV's README GPT program, compiled header-only against REV's
# headers in the same alternating rounds: what a change did to a student's wait.
#   scripts/compile_cost.sh [--baseline-commit REV] [rounds] [flags...]
#   defaults: 3 rounds, -O2 -march=native -fopenmp
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=""
if [ "${1:-}" = "--baseline-commit" ]; then
  baseline=$2
  shift 2
fi
rounds=${1:-3}
shift || true
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(-O2 -march=native -fopenmp)
out=build-compile-cost
mkdir -p "$out"
cat >"$out/plain_eigen.cpp" <<'CPP'
#include <Eigen/Dense>
#include <iostream>
int main() {
  Eigen::MatrixXf a = Eigen::MatrixXf::Random(64, 64), b = Eigen::MatrixXf::Random(64, 64);
  Eigen::MatrixXf c = a * b;
  std::cout << c.sum() << "\n";
}
CPP
printf '#include <eigenformer/eigenformer.hpp>\nint main() {}\n' >"$out/umbrella.cpp"
# The README's code block that trains a GPT, as printed there.
readme_program() {
  awk '/^```cpp$/ {inside = 1; block = ""; next} inside && /^```$/ {inside = 0; if (block ~ /GPT<float> model/) printf "%s", block; next}
       inside {block = block $0 "\n"}' "$1" >"$2"
  [ -s "$2" ] || { echo "error: no code block with 'GPT<float> model' in $1" >&2; exit 1; }
}
readme_program README.md "$out/readme_gpt.cpp"
files=(plain_eigen umbrella readme_gpt)
if [ -n "$baseline" ]; then
  rm -rf "$out/baseline" && git worktree prune
  git worktree add --detach "$out/baseline" "$baseline" >/dev/null
  readme_program "$out/baseline/README.md" "$out/baseline_readme_gpt.cpp"
  files+=(baseline_readme_gpt)
fi
if [ -f include/eigenformer/prebuilt.hpp ]; then  # (absent from trees before it: to compare)
  cp "$out/readme_gpt.cpp" "$out/readme_gpt_prebuilt.cpp"
  files+=(readme_gpt_prebuilt)
fi
declare -A seconds memory
for ((round = 1; round <= rounds; ++round)); do
  for name in "${files[@]}"; do
    extra=()
    [ "$name" = readme_gpt_prebuilt ] && extra=(-include eigenformer/prebuilt.hpp)
    include=include
    [ "$name" = baseline_readme_gpt ] && include="$out/baseline/include"
    read -r user system kilobytes < <({ /usr/bin/time -f "%U %S %M" g++ -std=c++20 "${flags[@]}" "-I$include" \
      -isystem /usr/include/eigen3 "${extra[@]}" -c "$out/$name.cpp" -o /dev/null; } 2>&1 | tail -1)
    seconds[$name]+="$(echo "$user + $system" | bc) "
    memory[$name]+="$kilobytes "
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
base=$(median "${seconds[plain_eigen]}")
echo "g++ -c ${flags[*]}, median of $rounds alternating rounds (CPU seconds, peak memory):"
for name in "${files[@]}"; do
  s=$(median "${seconds[$name]}")
  m=$(median "${memory[$name]}")
  printf '  %-22s %6.2f s  %4d MB  %4.2fx\n' "$name" "$s" $((m / 1024)) "$(echo "$s / $base" | bc -l)"
done
