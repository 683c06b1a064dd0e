#!/bin/sh
# embed.sh DIR: writes, on stdout, the C file that holds the console's
# files (DIR/index.html, console.js, console.css) as strings, so the
# daemon serves them with no file on disk and no build step.
set -eu
dir=$1
echo '#include "relay/console_assets.h"'
n=0
for f in index.html:text/html console.js:text/javascript console.css:text/css icon.svg:image/svg+xml; do
	name=${f%%:*}
	echo "static const char asset$n[] ="
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' \
	    "$dir/$name"
	echo ';'
	n=$((n + 1))
done
echo 'const struct console_asset console_assets[] = {'
n=0
for f in index.html:text/html console.js:text/javascript console.css:text/css icon.svg:image/svg+xml; do
	name=${f%%:*}
	ctype=${f#*:}
	echo "	{ \"$name\", \"$ctype; charset=utf-8\", asset$n, sizeof(asset$n) - 1 },"
	n=$((n + 1))
done
echo '};'
echo 'const size_t console_nassets = sizeof(console_assets) / sizeof(console_assets[0]);'
