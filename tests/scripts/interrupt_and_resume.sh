#!/usr/bin/env bash
# Ctrl-C (and SIGTERM) during training, end to end, with a real program: the run stops at
# the end of a step, saves, says so and exits non-zero; --resume continues from that step;
# the CSV log holds every step exactly once; the model it saved samples.
# Usage: interrupt_and_resume.sh PATH/TO/makemore_words   (CTest runs it: example.signals)
set -euo pipefail
program=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAILED: $*"; cat "$out"/*.log; exit 1; }

rows() { [ -f "$out/training.csv" ] && echo $(($(wc -l <"$out/training.csv") - 1)) || echo 0; }
wait_for_rows() {  # until the CSV log has more than $1 rows (training is under way)
  for _ in $(seq 1 1200); do (($(rows) > $1)) && return; sleep 0.1; done
  fail "training never passed step $1"
}
# Starts training in the background, signals it once it is under way, checks how it stopped.
interrupt() {  # interrupt SIGNAL NAME_IN_MESSAGE LOG [flags...]
  local signal=$1 name=$2 log=$3 before
  shift 3
  before=$(rows)
  "$program" train --steps 20000 --out "$out" "$@" >"$out/$log" 2>&1 &
  local pid=$!
  wait_for_rows $((before + 20))
  kill -s "$signal" $pid
  local status=0
  wait $pid || status=$?
  ((status != 0)) || fail "$signal: exit status 0"
  grep -q "$name stopped training after step [0-9]*; saved '$out/model.ckpt'" "$out/$log" || fail "no message"
  stopped_at=$(grep -o "stopped training after step [0-9]*" "$out/$log" | grep -o "[0-9]*$")
  (($(rows) == stopped_at)) || fail "$(rows) CSV rows for $stopped_at steps"
}

interrupt INT "Ctrl-C" first.log
first=$stopped_at
interrupt TERM "SIGTERM" second.log --resume
((stopped_at > first)) || fail "the resumed run did not continue past step $first"
grep -q "overwrite" <("$program" train --out "$out" 2>&1) || fail "an existing model was not protected"
awk -F, 'NR > 1 && $1 != NR - 1 { bad = 1 } END { exit bad }' "$out/training.csv" || fail "a step is missing or repeated"
"$program" sample --out "$out" --count 3 >"$out/sample.log" 2>&1 || fail "sampling the saved model"
echo "signals: Ctrl-C stopped at step $first, SIGTERM at $stopped_at after --resume; the CSV holds steps 1..$stopped_at once each; OK"
