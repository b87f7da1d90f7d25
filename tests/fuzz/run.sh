#!/bin/sh
# Runs one libFuzzer harness of tests/fuzz (built by fuzz.mk) and prints one
# line of figures for it. Usage, from the repository root:
#
#   tests/fuzz/run.sh smoke NAME RUNS      replay the seeds and regressions,
#                                          then RUNS executions from a fresh
#                                          scratch corpus with a fixed seed
#   tests/fuzz/run.sh long NAME SECONDS    fuzz, growing build/corpus/NAME
#
# The smoke run is reproducible: the same seed (FUZZ_SEED, default 1), the
# same number of executions and no schedule that depends on timing, so a
# test run passes or fails the same on every machine; finding new bugs is
# the long run's job.
# New inputs go to tests/fuzz/build/ only: libFuzzer writes to the first
# corpus directory it is given, and the checked-in seeds and regressions
# come after it. A crash, leak, timeout or broken invariant exits non-zero
# and names the saved input.
set -eu

mode=$1
name=$2
budget=$3

dir=tests/fuzz
build=$dir/build
bin=$build/fuzz_$name
seeds=$dir/corpus/$name
regressions=$dir/regressions/$name
artifacts=$build/artifacts/$name
logs=$build/logs
log=$logs/$name-$mode.log

case $mode in
smoke) scratch=$build/smoke-corpus/$name; rm -rf "$scratch" ;;
long) scratch=$build/corpus/$name ;;
*) echo "run.sh: mode must be smoke or long" >&2; exit 2 ;;
esac
mkdir -p "$scratch" "$artifacts" "$logs" "$seeds" "$regressions"

# Leaks count as failures (libFuzzer checks after each input); a UBSan
# report stops the run like an ASan one, so libFuzzer saves the input,
# except for the known reports listed in ubsan.supp.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$(pwd)/$dir/ubsan.supp}"

# -timeout: an input that runs this long is a hang; -max_len: the harnesses
# skip inputs above 64 KiB anyway.
limits="-timeout=10 -rss_limit_mb=2048 -max_len=65536"
# Some inputs are costly by design (texts repeated until a kernel splits its
# work in parts, ids by the million): mutate the cheap ones more often.
schedule="-entropic_scale_per_exec_time=1"
dict=
[ -f "$dir/$name.dict" ] && dict="-dict=$dir/$name.dict"

fail() {
    echo "fuzz_$name: FAILED ($1); log: $log" >&2
    grep -E 'ERROR|invariant broken|runtime error|SUMMARY|Test unit written|#[0-9]+ +in ' "$log" \
        | head -40 >&2 || true
    exit 1
}

if [ "$mode" = smoke ]; then
    # every checked-in input once, each on its own
    inputs=$(find "$seeds" "$regressions" -type f ! -name .gitkeep ! -name 'README*' | sort)
    if [ -n "$inputs" ]; then
        # shellcheck disable=SC2086 # one argument per file
        "$bin" $limits -artifact_prefix="$artifacts/" $inputs >"$log" 2>&1 \
            || fail "replaying tests/fuzz/corpus/$name and regressions/$name"
        echo "fuzz_$name: replayed $(echo "$inputs" | wc -l) checked-in inputs"
    fi
fi

if [ "$mode" = smoke ]; then
    budget_flags="-seed=${FUZZ_SEED:-1} -runs=$budget"
else
    budget_flags="$schedule -max_total_time=$budget"
fi
# shellcheck disable=SC2086
"$bin" $limits $budget_flags $dict -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$scratch" "$seeds" "$regressions" >"$log" 2>&1 \
    || fail "fuzzing"

# The figures: libFuzzer's last status line (cov: edges, ft: features) and
# its final stats; the corpus is what this run and earlier ones kept.
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
files=$(find "$scratch" -type f | wc -l)
bytes=$(find "$scratch" -type f -exec cat {} + | wc -c)
echo "fuzz_$name: $execs execs in $took s, cov: $cov ft: $ft, corpus: $files files ($bytes bytes) in $scratch"
