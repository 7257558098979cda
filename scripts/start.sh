#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and runs the product on its embedded defaults.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash scripts/temporal-cli.sh >/dev/null
npm run --silent build
# A heap limit keeps the process small: with 1,000 open incidents it measured 360 MB, against 550 MB
# without one (BENCHMARKS.md, docs/operating.md "Memory"). A limit in NODE_OPTIONS takes precedence.
case " ${NODE_OPTIONS:-} " in
  *max-old-space-size*) ;;
  *) export NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=256" ;;
esac
exec node dist/workers/main.js
