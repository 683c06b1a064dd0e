#!/bin/sh
# The e2e_filters suite again, against an edge on store = http proxying to
# an upstream fzrelay (tests/e2e/harness.h): the filters travel upstream
# as query parameters, and both modes pass the same tests.
FZH_STORE=http
export FZH_STORE
exec "$(dirname "$FZRELAY_BIN")/tests/e2e/e2e_filters"
