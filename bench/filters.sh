#!/bin/sh
# bench/filters.sh: filtered project lists on a workspace of 100,000
# projects. Run by hand; never part of the test suite.
#
#   sh bench/filters.sh          # a few minutes and about 1 GB of disk
#
# Needs: fzrelay's build dependencies (scripts/deps.sh), wrk, curl,
# taskset and python3. Installs nothing.
#
# What it does, on 127.0.0.1, fzrelay on core 1 (taskset -c 1) and wrk on
# core 0:
#   1. builds fzrelay optimised out of tree into build/bench (through
#      scripts/build.sh) and bench/filters.c against its state/ and
#      common/ archives;
#   2. makes an agency workspace and a read key with the CLI, and loads
#      FZ_BENCH_PROJECTS projects into it with bench/filters.c, which
#      also times building the list indexes over them from scratch (what
#      the first start over older data does);
#   3. starts fzrelay and, for each list below, shows its first page's
#      size and whether it has a next cursor (curl), then measures it
#      with wrk for FZ_BENCH_DURATION seconds at c=1 and c=10.
# Figures go to stdout.
#
# Knobs (environment): FZ_BENCH_PROJECTS (100000), FZ_BENCH_DURATION (5,
# seconds per wrk run), FZ_BENCH_TMP (/var/tmp), FZ_BENCH_KEEP (0; 1 keeps
# the temporary directory).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
B=$top/build/bench
N=${FZ_BENCH_PROJECTS:-100000}
DUR=${FZ_BENCH_DURATION:-5}
KEEP=${FZ_BENCH_KEEP:-0}
T=
pid=

say() { printf '%s\n' "$*"; }
die() { say "bench/filters.sh: $*" >&2; exit 1; }

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "$KEEP" = 1 ] || [ $rc -ne 0 ]; then
			say "bench/filters.sh: kept $T" >&2
		else
			rm -rf "$T"
		fi
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in wrk curl taskset pkg-config python3; do
	command -v $t >/dev/null || die "needs $t"
done
[ "$(nproc)" -ge 2 ] || die "needs 2 cores (fzrelay on core 1, wrk on 0)"

say "== build (build/bench, -O2)"
sh "$top/scripts/build.sh" "$B" --disable-tests CFLAGS="-O2 -g"
LIBS=$(pkg-config --libs libevent_core libevent_extra libevent_openssl \
    jansson lmdb libcurl libcrypto libssl)
CC=$(sed -n 's/^CC = //p' "$B/Makefile")
CFLAGS="$(sed -n 's/^CFLAGS = //p' "$B/Makefile") $(sed -n 's/^FZ_CFLAGS = //p' "$B/Makefile")"
$CC $CFLAGS -I"$top" -I"$B" -include "$B/config.h" "$top/bench/filters.c" \
    "$B/libstate.a" "$B/libcommon.a" $LIBS -lm -o "$B/filters"
FZ=$B/fzrelay

T=$(mktemp -d "${FZ_BENCH_TMP:-/var/tmp}/fzfilters.XXXXXX")
S=$T/state

say "== machine"
say "fzrelay: $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
    head -1)"
say "kernel: $(uname -sr); state fs: $(df -T "$T" | awk 'NR == 2 {print $2}')"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

say "== load: $N projects"
ws=$("$FZ" workspace create --name "Bench Agency" --plan agency \
    --state-dir "$S")
tok=$("$FZ" key create --workspace "$ws" --scopes read --name bench \
    --state-dir "$S" 2>/dev/null)
"$B/filters" "$S" "$ws" "$N"
say "state: $(du -sh "$S/data.mdb" | cut -f1)"

say "== serve"
taskset -c 1 "$FZ" serve --state-dir "$S" --listen 127.0.0.1:0 \
    --rate-limit-per-minute 1000000 \
    >"$T/out.log" 2>"$T/err.log" &
pid=$!
i=0
until port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
    "$T/err.log" 2>/dev/null | head -1) && [ -n "$port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null ||
	    die "fzrelay did not start: $(cat "$T/err.log")"
	sleep 0.1
done
base=http://127.0.0.1:$port

# One list: its first page (records, cursor, bytes), then wrk at c=1 and
# c=10: requests/s, p50, p99.
measure() {
	name=$1
	path=$2
	curl -s -D "$T/h" -o "$T/b" -H "Authorization: Bearer $tok" \
	    "$base$path" >/dev/null
	code=$(awk 'NR == 1 {print $2}' "$T/h")
	[ "$code" = 200 ] || die "$path: HTTP $code: $(cat "$T/b")"
	recs=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
d = d["data"] if isinstance(d, dict) else d
print(len(d))' "$T/b")
	if grep -qi '^x-next-cursor:' "$T/h" || grep -q '"next_cursor"' "$T/b"
	then cur=yes; else cur=no; fi
	for c in 1 10; do
		taskset -c 0 wrk -t1 -c$c -d"${DUR}s" --latency \
		    -H "Authorization: Bearer $tok" "$base$path" >"$T/wrk"
		rps=$(awk '/^Requests\/sec/ {print $2}' "$T/wrk")
		p50=$(awk '$1 == "50%" {print $2}' "$T/wrk")
		p99=$(awk '$1 == "99%" {print $2}' "$T/wrk")
		bad=$(awk '/Non-2xx/ {print $NF}' "$T/wrk")
		[ -z "$bad" ] || die "$path: $bad non-2xx answers"
		say "| $name | $recs | $cur | $c | $rps | $p50 | $p99 |"
	done
}

say "== lists (first page, limit 50 by default)"
say "| list | records | cursor | c | req/s | p50 | p99 |"
say "| --- | --- | --- | --- | --- | --- | --- |"
measure "no filter" "/api/v1/projects"
measure "clientEmail (10 projects)" \
    "/api/v1/projects?clientEmail=owner4242@client4242.example.com"
measure "status=signed_off (1 in 10)" "/api/v1/projects?status=signed_off"
measure "status + clientEmail" \
    "/api/v1/projects?status=draft&clientEmail=owner4242@client4242.example.com"
measure "q=website (1 in 7)" "/api/v1/projects?q=website"
measure "q=needle (1 in 1000)" "/api/v1/projects?q=needle"
measure "q=needle&limit=5" "/api/v1/projects?q=needle&limit=5"
measure "q matching nothing (a page's budget)" "/api/v1/projects?q=zzzz"
measure "Zapier lists/projects?q=needle" \
    "/api/v1/zapier/lists/projects?q=needle"
measure "Zapier find-project by client_email" \
    "/api/v1/zapier/searches/find-project?client_email=owner500@client500.example.com"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
