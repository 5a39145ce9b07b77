#!/usr/bin/env bash
# Fuzzes every loader of outside input, and the examples' command lines, with libFuzzer
# + AddressSanitizer + UBSan.
# Usage: scripts/fuzz.sh [seconds per target, default 60]
# Fails on any crash, leak, timeout, out-of-memory or exception other than eigenformer::Error.
# Crashing inputs are kept in build-fuzz/artifacts/ (each fixed bug gets a test in tests/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh clang libclang-rt-14-dev
seconds=${1:-60}
build=build-fuzz
mkdir -p "$build/artifacts"
flags=(-std=c++20 -O1 -g -I include -I examples -I tests -isystem /usr/include/eigen3)
targets=(fuzz_checkpoint fuzz_llmc_checkpoint fuzz_tokenizer_files fuzz_token_shard fuzz_tokenize fuzz_example_flags fuzz_tools)

echo "== building the fuzz targets and the seed corpus"
clang++ "${flags[@]}" fuzz/make_seed_corpus.cpp -o "$build/make_seed_corpus" &
for target in "${targets[@]}"; do
  clang++ "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all "fuzz/$target.cpp" \
    -o "$build/$target" &
done
wait
rm -rf "$build/seeds" && "$build/make_seed_corpus" "$build/seeds"

# One fuzzer per core at a time (each is single-threaded); a target's log and status are its own files.
fuzz_target() {
  local target=$1 status=0
  mkdir -p "$build/corpus/$target"
  "$build/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
    "$build/corpus/$target" "$build/seeds/$target" 2>"$build/$target.log" || status=$?
  echo "$status" >"$build/$target.status"
}
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n; done
  echo "== $target, $seconds s"
  fuzz_target "$target" &
done
wait

passed=0 failed=0
for target in "${targets[@]}"; do
  if [ "$(cat "$build/$target.status")" = 0 ]; then
    passed=$((passed + 1))
    echo "passed: $target"
  else
    failed=$((failed + 1))
    echo "FAILED: $target"
    tail -40 "$build/$target.log"
  fi
  grep -E "^stat::number_of_executed_units|^Done" "$build/$target.log" | sed "s/^/  /"
done
echo "fuzzing: $passed passed, $failed failed"
((failed == 0))
