#!/bin/sh
# smoke.sh TARGET SECONDS SRCDIR: runs one libFuzzer target for SECONDS on
# a scratch copy of its seed corpus in fuzz-out/TARGET (the tree's corpus
# is never written), with its dictionary if it has one. Prints one line;
# on a crash, leak, sanitizer report or failed check it prints the log's
# tail and the reproducer's path and exits 1. Run by make fuzz-smoke.
set -u
t=$1
secs=$2
src=$3
out=fuzz-out/$t
rm -rf "$out"
mkdir -p "$out/corpus"
cp "$src/tests/fuzz/corpus/$t/"* "$out/corpus/"
dict=
[ -f "$src/tests/fuzz/$t.dict" ] && dict=-dict=$src/tests/fuzz/$t.dict
# shellcheck disable=SC2086
if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "./tests/fuzz/$t" -max_total_time="$secs" -timeout=25 \
    -print_final_stats=1 $dict -artifact_prefix="$out/" "$out/corpus" \
    >"$out/log" 2>&1; then
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/log")
	echo "fuzz: $t: $runs runs in $secs s ($eps exec/s), no crash"
	exit 0
fi
{
	echo "fuzz: $t: FAILED ($out/log):"
	tail -40 "$out/log"
	ls "$out" | grep -v -e '^corpus$' -e '^log$' |
	    sed "s|^|fuzz: reproducer: $out/|"
} >&2
exit 1
