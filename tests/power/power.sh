#!/bin/sh
# Power-loss test: records every write and sync fzrelay makes to data.mdb
# under load, rebuilds the disk images a power cut could leave, and checks
# that fzrelay starts on each and still lists every acknowledged event
# (tests/power/powercut.py says how). Prints TAP. It runs in the sanitizer
# build as well: the shim is loaded into the ASan daemon with ASan's
# library-order check turned off (powercut.py says why that is safe).
#
# Knobs: POWER_IMAGES (60), POWER_SEED (1), POWER_KEEP=1 keeps the work
# directory.
set -u
bin=${FZRELAY_BIN:?FZRELAY_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)

for tool in python3 cc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed (scripts/deps.sh)"
		exit 0
	fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/fzrelay-power.XXXXXX")
[ "${POWER_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
[ "${POWER_KEEP:-0}" = 1 ] && echo "# work directory: $work"

# The shim is built here rather than by make: it must not get the
# sanitizer flags of the build under test, and it is loaded into that
# build's daemon all the same.
if ! out=$(cc -shared -fPIC -O2 -o "$work/wlog.so" "$here/wlog.c" \
    -ldl -lpthread 2>&1); then
	echo "Bail out! cannot build the shim: $out"
	exit 1
fi
python3 "$here/powercut.py" --binary "$bin" --shim "$work/wlog.so" \
    --work "$work" --images "${POWER_IMAGES:-60}" --seed "${POWER_SEED:-1}"
