#!/usr/bin/env bash
# `npm test`: type-check, lint, formatting check, then every jest test against real services (Temporal dev server,
# PostgreSQL, moto) that the test setup starts itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash scripts/temporal-cli.sh >/dev/null
bash scripts/temporal-test-server.sh >/dev/null   # Java test server for the time-skipping tests (mvn, first run only)
npx tsc -p tsconfig.json --noEmit
npx eslint .
npx prettier --check . >/dev/null || { echo "formatting: run npm run format (prettier --check lists the files)"; npx prettier --check . ; exit 1; }
mkdir -p .data && rm -f .data/jest-results.json
status=0
npx jest --json --outputFile=.data/jest-results.json "$@" || status=$?
# One plain closing line, in the form CI systems read: "N passed, N failed, N skipped".
if [ -f .data/jest-results.json ]; then
  node -e 'const r = require("./.data/jest-results.json"); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)'
fi
exit "$status"
