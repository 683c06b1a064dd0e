#!/bin/sh
# Installs what the libFuzzer targets need on Debian 12 (clang and its
# sanitizer runtimes), on top of scripts/deps.sh. Only for
# ./configure --enable-fuzzing: the default build and CI use gcc and need
# none of this. Safe to run again: it only calls apt-get when a package is
# missing.
set -eu

PKGS="clang libclang-rt-14-dev"

sh "$(dirname "$0")/deps.sh"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "fuzz-deps: need root (or sudo) for:$missing" >&2
			exit 1
		}
		SUDO=sudo
	fi
	echo "fuzz-deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
