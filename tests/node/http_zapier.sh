#!/bin/sh
# Zapier's app tester again, against an edge on store = http in front of an
# upstream fzrelay that reports its portal events back (tests/node/harness.js).
FZH_STORE=http
export FZH_STORE
exec node "$(dirname "$0")/../../integrations/zapier/test/app.test.js"
