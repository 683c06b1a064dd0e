#!/bin/sh
# Installs what fzrelay needs to build and test on Debian 12. Safe to run
# again: it only calls apt-get when a package is missing.
set -eu

PKGS="build-essential autoconf automake pkg-config ca-certificates curl
libevent-dev libjansson-dev liblmdb-dev libcurl4-openssl-dev libssl-dev
libcmocka-dev systemd python3 chromium"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# Node runs the tests with real third-party clients; any Node >= 18 will do,
# so a preinstalled one is kept.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "deps: need root (or sudo) to install:$missing" >&2
		exit 1
	}
	SUDO=sudo
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
