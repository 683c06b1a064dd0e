#!/bin/sh
# Installs dependencies, builds, and starts fzrelay on the embedded store
# with a demo workspace and key printed. Extra arguments go to "serve".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
sh "$top/scripts/build.sh" "$top/build/plain" --disable-tests
exec "$top/build/plain/fzrelay" serve --demo "$@"
