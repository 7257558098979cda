#!/usr/bin/env bash
# Installs npm packages when node_modules is missing or older than the lock file.
# `npm install`, not `npm ci`: npm 11 writes lock files without the entries of other platforms'
# optional packages (@swc/core-darwin-*, ...), which `npm ci` then rejects as out of sync; `npm
# install` installs exactly the locked versions all the same.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi
