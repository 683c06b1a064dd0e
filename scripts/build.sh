#!/bin/sh
# Builds fzrelay out of tree: scripts/build.sh DIR [configure flags...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ] ||
    [ ! -f "$top/build-aux/tap-driver.sh" ]; then
	(cd "$top" && mkdir -p m4 && autoreconf -fi)
fi
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ]; then
	"$top/configure" -q "$@"
fi
make -s -j"$(nproc)" >/dev/null
