#!/bin/sh
# The unit that make install ships passes systemd-analyze verify, and its
# sandboxing keeps the exposure score low. Prints TAP.
set -u
bin=${FZRELAY_BIN:?FZRELAY_BIN is not set}
unit="$(dirname "$bin")/systemd/fzrelay.service"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..3"
if [ -f "$unit" ] && grep -q '^Type=notify' "$unit"; then
	echo "ok 1 - the built unit is Type=notify"
else
	echo "not ok 1 - the built unit is Type=notify ($unit)"
fi
# verify checks ExecStart's binary exists: point it at the one just built.
sed "s|^ExecStart=[^ ]*|ExecStart=$bin|" "$unit" > "$tmp/fzrelay.service"
if out=$(systemd-analyze verify "$tmp/fzrelay.service" 2>&1) &&
    [ -z "$out" ]; then
	echo "ok 2 - systemd-analyze verify is clean"
else
	echo "not ok 2 - systemd-analyze verify is clean"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
score=$(systemd-analyze security --offline=true "$tmp/fzrelay.service" \
    2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 3.0) }'; then
	echo "ok 3 - exposure $score is below 3.0"
else
	echo "not ok 3 - exposure '${score}' is below 3.0"
fi
