#!/usr/bin/env bash
# `npm test`: type-check, lint, then every jest test against real services (Temporal dev server,
# PostgreSQL, moto) that the test setup starts itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash scripts/temporal-cli.sh >/dev/null
npx tsc -p tsconfig.json --noEmit
npx eslint .
npx jest "$@"
