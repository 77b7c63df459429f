#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang under AddressSanitizer +
# UndefinedBehaviorSanitizer and runs each for a while, starting from its seed
# corpus in fuzz/corpus/NAME/. Fails when any harness finds a crash, a leak,
# undefined behaviour, a broken property or a hang.
#
#   scripts/fuzz.sh [SECONDS_PER_HARNESS [NAME...]]    default: 25 s, every harness
#
# New inputs go to build-fuzz/corpus/NAME/ (kept between runs, never into the
# repository); a finding is written to build-fuzz/findings/NAME/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-25}
shift || true
dir=build-fuzz

# -O1 with line tables only: libFuzzer's usual trade between speed, build time
# and readable stack traces.
cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
  -DBALLAST_BUILD_FUZZ=ON -DBALLAST_BUILD_TESTS=OFF -DBALLAST_BUILD_BENCH=OFF > /dev/null
cmake --build "$dir" -j "$(nproc)" --target ballast_fuzzers

names=("$@")
if ((${#names[@]} == 0)); then
  for binary in "$dir"/fuzz/fuzz_*; do
    [ -x "$binary" ] && names+=("${binary##*/fuzz_}")
  done
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One fuzzer per core at a time; each writes its log and its exit status,
# read once every one has ended.
run_one() {
  local name=$1 status=0
  mkdir -p "$dir/corpus/$name" "$dir/findings/$name"
  "$dir/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/findings/$name/" "$dir/corpus/$name" "fuzz/corpus/$name" \
    > "$dir/findings/$name/last-run.log" 2>&1 || status=$?
  echo "$status" > "$dir/findings/$name/last-run.status"
}
for name in "${names[@]}"; do
  while (($(jobs -rp | wc -l) >= $(nproc))); do sleep 0.2; done
  echo "== fuzz_$name for ${seconds}s"
  rm -f "$dir/findings/$name/last-run.status"
  run_one "$name" &
done
wait
passed=0
failed=0
for name in "${names[@]}"; do
  log="$dir/findings/$name/last-run.log"
  if [ "$(cat "$dir/findings/$name/last-run.status" 2>/dev/null)" = 0 ]; then
    passed=$((passed + 1))
    echo "fuzz_$name: $(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
  else
    failed=$((failed + 1))
    tail -n 60 "$log"
    echo "fuzz_$name: FINDING; the input is in $dir/findings/$name/, the whole log in $log"
  fi
done
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
