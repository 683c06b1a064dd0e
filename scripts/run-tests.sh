#!/bin/sh
# Installs dependencies, builds fzrelay twice (plain, and with ASan and
# UBSan), runs every test in both builds, then builds the libFuzzer
# targets with clang and runs each for FZ_FUZZ_SECONDS (60; 0 skips them),
# two at a time. Ends with one line: "N passed, N failed" (a fuzz target
# counts as one test).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh" || exit 1
# The tests with real clients (OpenAPI validator, Zapier, Standard
# Webhooks) use the exact packages of the committed lock file.
(cd "$top/tests/node" && npm ci --no-audit --no-fund --loglevel=error) ||
    exit 1
(cd "$top/integrations/zapier" &&
    npm ci --no-audit --no-fund --loglevel=error) || exit 1

pass=0
fail=0
status=0
for variant in plain asan; do
	dir="$top/build/test-$variant"
	flags=""
	[ "$variant" = asan ] && flags="--enable-sanitizers"
	echo "== $variant build"
	# shellcheck disable=SC2086
	if ! sh "$top/scripts/build.sh" "$dir" $flags; then
		echo "build failed ($variant)"
		fail=$((fail + 1))
		status=1
		continue
	fi
	(cd "$dir" && make -s -j2 check >check.out 2>&1)
	rc=$?
	grep -E '^(PASS|FAIL|XFAIL|XPASS|ERROR|SKIP):' "$dir/check.out" |
	    grep -v '^PASS:' || true
	p=$(grep -E '^# PASS: ' "$dir/check.out" | awk '{print $3}')
	f=$(grep -E '^# (FAIL|ERROR|XPASS): ' "$dir/check.out" |
	    awk '{s += $3} END {print s + 0}')
	p=${p:-0}
	if [ "$rc" -ne 0 ]; then
		status=1
		[ "$f" -eq 0 ] && f=1
		for log in "$dir"/tests/*/*.log; do
			[ -f "$log" ] || continue
			grep -q -E '^(not ok|Bail out)|ERROR' "$log" &&
			    { echo "--- $log"; tail -40 "$log"; }
		done
		tail -20 "$dir/check.out"
	fi
	echo "$variant: $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
done
fuzz_secs=${FZ_FUZZ_SECONDS:-60}
if [ "$fuzz_secs" -gt 0 ]; then
	dir="$top/build/test-fuzz"
	echo "== fuzz build (clang)"
	if sh "$top/scripts/fuzz-deps.sh" >/dev/null &&
	    sh "$top/scripts/build.sh" "$dir" CC=clang --enable-fuzzing \
	    --disable-tests; then
		(cd "$dir" && make -s fuzz-smoke FUZZ_SECONDS="$fuzz_secs" \
		    FUZZ_JOBS=2) >"$dir/fuzz.out" 2>&1
		cat "$dir/fuzz.out"
		p=$(grep -c ', no crash$' "$dir/fuzz.out")
		f=$(grep -c ': FAILED ' "$dir/fuzz.out")
		if [ "$f" -gt 0 ] || [ "$p" -eq 0 ]; then
			status=1
			[ "$f" -eq 0 ] && f=1
		fi
		echo "fuzz: $p passed, $f failed"
		pass=$((pass + p))
		fail=$((fail + f))
	else
		echo "fuzz build failed"
		fail=$((fail + 1))
		status=1
	fi
fi
echo "$pass passed, $fail failed"
exit $status
