#!/usr/bin/env bash
# Runs every libFuzzer harness of fuzz/ for SECONDS each, two at a time, on a
# copy of its checked-in seed corpus (fuzz/corpus/NAME), so the tree is not
# changed. A crash, a sanitizer report or an input slower than the time limit
# fails the run; the input that did it is kept in ARTIFACTS and printed.
#   scripts/fuzz.sh FUZZ_BIN_DIR SECONDS [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin_dir=$1
seconds=$2
shift 2
names=("$@")
((${#names[@]})) || names=(utf8_tokenize jsonl labels model_file html analyze)
artifacts=${FUZZ_ARTIFACTS:-$bin_dir/artifacts}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

run_one() {
  local name=$1
  # Time limit per input: analysis of 16 KB under the sanitizers takes well
  # under a second; a super-linear case of that size takes minutes.
  local max_len=65536 timeout=10
  [ "$name" = analyze ] && max_len=16384
  mkdir -p "$work/$name"
  if "$bin_dir/fuzz_$name" -max_total_time="$seconds" -timeout="$timeout" -max_len="$max_len" \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
      "$work/$name" "fuzz/corpus/$name" >"$work/$name.log" 2>&1; then
    echo "fuzz: $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$name.log" | grep -o '[0-9]*$') inputs in ${seconds} s, no failure"
  else
    echo "fuzz: $name FAILED; its log ends:"
    tail -n 40 "$work/$name.log"
    ls "$artifacts/$name-"* 2>/dev/null | sed 's/^/fuzz: input kept in /'
    return 1
  fi
}
export -f run_one
export bin_dir seconds artifacts work
printf '%s\n' "${names[@]}" | xargs -P 2 -I{} bash -c 'run_one {}'
