#!/bin/sh
# The writer thread's nice level (state/writer.c), on the real daemon,
# read from /proc: with CAP_SYS_NICE (root) it runs at -10, below the
# loop's 0; as nobody without the capability it runs at what
# RLIMIT_NICE allows: at -10 with 30 (the unit's LimitNICE=-10), at -5
# with 25, and at 0 with 0, saying so. Raising RLIMIT_NICE needs
# CAP_SYS_RESOURCE, which a container may lack: those two cases are
# skipped then. Prints TAP.
set -u
bin=${FZRELAY_BIN:?FZRELAY_BIN is not set}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The nice level of each of pid's threads but the main one, one a line.
others_nice() {
	for t in /proc/"$1"/task/*; do
		[ "${t##*/}" = "$1" ] && continue
		# Field 19 is nice; comm (field 2) holds no space here.
		awk '{print $19}' "$t/stat" 2>/dev/null
	done
}

# run N RLIMIT_NICE WANT_NICE WANT_LOG: one case, as TAP line N; as
# nobody without capabilities when RLIMIT_NICE is a number, as the
# caller when it is "-".
run() {
	n=$1 rl=$2 want=$3 line=$4
	sd=$tmp/state$n
	log=$tmp/log$n
	mkdir "$sd"
	if [ "$rl" = - ]; then
		who="with CAP_SYS_NICE"
		"$tmp/fzrelay" serve --listen 127.0.0.1:0 --state-dir "$sd" \
		    2>"$log" &
	else
		who="as nobody, RLIMIT_NICE $rl"
		chown 65534:65534 "$sd"
		prlimit --nice="$rl" setpriv --reuid=65534 --regid=65534 \
		    --clear-groups --inh-caps=-all "$tmp/fzrelay" serve \
		    --listen 127.0.0.1:0 --state-dir "$sd" 2>"$log" &
	fi
	pid=$!
	i=0
	while ! grep -q 'writer thread' "$log" 2>/dev/null; do
		if [ $i -ge 100 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "not ok $n - $who: no word from the writer thread"
			sed 's/^/# /' "$log"
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			pid=
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	main=$(awk '{print $19}' /proc/"$pid"/stat)
	found=$(others_nice "$pid" | grep -cx -- "$want")
	if [ "$main" = 0 ] && [ "$found" -ge 1 ] &&
	    grep -q -- "$line" "$log"; then
		echo "ok $n - $who: the writer at $want, the loop at 0"
	else
		echo "not ok $n - $who: the writer at $want, the loop at 0" \
		    "(loop $main, threads at $want: $found)"
		sed 's/^/# /' "$log"
	fi
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	pid=
}

echo "1..4"
# Copied where nobody may run it, whatever the build tree's modes.
cp "$bin" "$tmp/fzrelay"
chmod 755 "$tmp" "$tmp/fzrelay"
if [ "$(id -u)" -ne 0 ] || [ "$(nice)" != 0 ]; then
	for n in 1 2 3 4; do
		echo "ok $n # SKIP needs root at nice 0"
	done
	exit 0
fi
run 1 - -10 'writer thread at nice -10$'
run 2 0 0 'writer thread left at nice 0'
if prlimit --nice=30 true 2>/dev/null; then
	run 3 30 -10 'writer thread at nice -10$'
	run 4 25 -5 'writer thread at nice -5 (RLIMIT_NICE)'
else
	echo "ok 3 # SKIP raising RLIMIT_NICE needs CAP_SYS_RESOURCE"
	echo "ok 4 # SKIP raising RLIMIT_NICE needs CAP_SYS_RESOURCE"
fi
