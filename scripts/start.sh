#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and runs the product on its embedded defaults.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash scripts/temporal-cli.sh >/dev/null
npm run --silent build
exec node dist/workers/main.js
