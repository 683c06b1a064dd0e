#!/bin/sh
# Installs dependencies, builds fzrelay twice (plain, and with ASan and
# UBSan), runs every test in both builds, and ends with one line:
# "N passed, N failed".
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
echo "$pass passed, $fail failed"
exit $status
