#!/bin/sh
# embed.sh NAME DIR FILE:TYPE...: writes, on stdout, the C file that holds
# the files of a page served from memory (DIR/FILE, served as TYPE) as
# the table NAME_assets (relay/asset.h), so the daemon serves them with
# no file on disk and no build step.
set -eu
name=$1
dir=$2
shift 2
echo '#include "relay/asset.h"'
n=0
for f in "$@"; do
	file=${f%%:*}
	echo "static const char asset$n[] ="
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' \
	    "$dir/$file"
	echo ';'
	n=$((n + 1))
done
echo "const struct asset ${name}_assets[] = {"
n=0
for f in "$@"; do
	file=${f%%:*}
	ctype=${f#*:}
	echo "	{ \"$file\", \"$ctype; charset=utf-8\", asset$n, sizeof(asset$n) - 1 },"
	n=$((n + 1))
done
echo '};'
echo "const size_t ${name}_nassets = sizeof(${name}_assets) / sizeof(${name}_assets[0]);"
