#!/bin/sh
# Folders are layers and includes only run downward:
#
#   common < state < relay < actions, triggers < cmd
#
# A source includes its own folder or a lower one; actions/ and
# triggers/ stand side by side and do not include each other; the
# HTTP/1.1 engine in relay/http/ includes only common/ and itself.
# Checks every .c and .h under those folders, then, where the folders'
# archives are built (make check runs it there), that no archive takes a
# symbol from one above it or beside it. Prints TAP.
set -u
here=$(pwd)
top=${srcdir:-$(dirname "$0")/..}
cd "$top" || { echo "Bail out! no source tree at $top"; exit 1; }

layers="common state relay relay/http actions triggers cmd"
files=$(find common state relay actions triggers cmd -type f \
    \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort)

# One line per include that breaks a rule: FOLDER TAB file:line: why.
# shellcheck disable=SC2086
bad=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' \
    $files /dev/null | awk '
function folder(p) {
	if (p ~ /^relay\/http\//)
		return "relay/http"
	sub(/\/.*/, "", p)
	return p
}
BEGIN {
	rank["common"] = 0; rank["state"] = 1; rank["relay"] = 2
	rank["relay/http"] = 2; rank["actions"] = 3; rank["triggers"] = 3
	rank["cmd"] = 4
}
{
	file = $0; sub(/:.*/, "", file)
	rest = substr($0, length(file) + 2)
	line = rest; sub(/:.*/, "", line)
	target = rest; sub(/^[^"]*"/, "", target); sub(/".*/, "", target)
	from = folder(file)
	to = folder(target)
	why = ""
	if (!(to in rank))
		why = to "/ is no layer"
	else if (from == "relay/http") {
		if (to != "common" && to != "relay/http")
			why = "the HTTP engine includes only common/ " \
			    "and relay/http/"
	} else if (rank[to] > rank[from])
		why = "climbs from " from "/ up to " to "/"
	else if (rank[to] == rank[from] && to != from && to != "relay/http")
		why = from "/ and " to "/ stand side by side"
	if (why != "")
		printf "%s\t%s:%s: includes \"%s\": %s\n", from, file, line,
		    target, why
}')

n=0
for f in $files; do
	n=$((n + 1))
done
archives="common state relay actions triggers cmd"
echo "1..$(( $(echo $layers $archives | wc -w) + 1 ))"
if [ "$n" -gt 0 ]; then
	echo "ok 1 - $n sources read"
else
	echo "not ok 1 - no sources read under $top"
fi
t=1
for layer in $layers; do
	t=$((t + 1))
	count=$(printf '%s\n' $files | awk -v l="$layer" '
	    l == "relay" && index($0, "relay/http/") == 1 { next }
	    index($0, l "/") == 1 { c++ } END { print c + 0 }')
	hits=$(printf '%s\n' "$bad" | awk -F '\t' -v l="$layer" \
	    '$1 == l { print $2 }')
	what="$layer/ ($count files) includes only what it may"
	if [ "$count" -eq 0 ]; then
		echo "not ok $t - $layer/ holds no sources"
	elif [ -z "$hits" ]; then
		echo "ok $t - $what"
	else
		echo "not ok $t - $what"
		printf '%s\n' "$hits" | sed 's/^/# /'
	fi
done

# rank FOLDER: the layer's height, as in the includes' check.
rank() {
	case $1 in
	common) echo 0 ;; state) echo 1 ;; relay) echo 2 ;;
	actions | triggers) echo 3 ;; cmd) echo 4 ;;
	esac
}
nm=${NM:-nm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
built=1
for a in $archives; do
	if [ ! -f "$here/lib$a.a" ]; then
		built=0
	elif ! "$nm" -g --defined-only "$here/lib$a.a" 2>/dev/null |
	    awk 'NF == 3 { print $3 }' | LC_ALL=C sort -u >"$tmp/def.$a" ||
	    ! "$nm" -g --undefined-only "$here/lib$a.a" 2>/dev/null |
	    awk 'NF == 2 { print $2 }' | LC_ALL=C sort -u >"$tmp/und.$a"; then
		built=0
	fi
done
for a in $archives; do
	t=$((t + 1))
	what="lib$a.a takes no symbol from above"
	if [ "$built" -eq 0 ]; then
		echo "ok $t - $what # SKIP archives not built in $here"
		continue
	fi
	hits=
	for b in $archives; do
		[ "$b" = "$a" ] || [ "$(rank "$b")" -lt "$(rank "$a")" ] &&
		    continue
		for sym in $(LC_ALL=C comm -12 "$tmp/und.$a" "$tmp/def.$b"); do
			hits="$hits# lib$a.a takes $sym from lib$b.a
"
		done
	done
	if [ -z "$hits" ]; then
		echo "ok $t - $what"
	else
		echo "not ok $t - $what"
		printf '%s' "$hits"
	fi
done
