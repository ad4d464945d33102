#!/usr/bin/env bash
# The whole test suite, as CI runs it: build, strict type-check, lint, then every test group
# (each group brings up the real servers it needs and tears them down). Arguments select groups:
#   scripts/test.sh            everything
#   scripts/test.sh unit e2e   only those groups (see test/run.ts for the list)
set -euo pipefail
cd "$(dirname "$0")/.."
# Node 24 for everything below, even when started as plain `npm test` on an older node.
PATH="$(scripts/node24.sh):$PATH"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
npm run --silent typecheck
npm run --silent lint
exec node --import tsx test/run.ts "$@"
