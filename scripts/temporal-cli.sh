#!/usr/bin/env bash
# Finds or provisions the Temporal CLI and prints its path. Used by start, tests and CI alike.
# Order: TEMPORAL_CLI_PATH, `temporal` on PATH, the cached build in .tools/, a build with
# `go install` (v1.5.1: later tags carry replace directives and cannot be go-installed), the
# official download where the internet is reachable.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/bin"
version="v1.5.1"

works() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  works "$TEMPORAL_CLI_PATH" && { echo "$TEMPORAL_CLI_PATH"; exit 0; }
  echo "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not a working temporal binary" >&2; exit 1
fi
if command -v temporal >/dev/null 2>&1 && works "$(command -v temporal)"; then command -v temporal; exit 0; fi
if works "$tools/temporal"; then echo "$tools/temporal"; exit 0; fi

mkdir -p "$tools"
if command -v go >/dev/null 2>&1; then
  echo "building the Temporal CLI $version with go install (first run only, a few minutes)..." >&2
  if GOTOOLCHAIN=local GOBIN="$tools" GOFLAGS=-buildvcs=false go install "github.com/temporalio/cli/cmd/temporal@$version" >&2; then
    works "$tools/temporal" && { echo "$tools/temporal"; exit 0; }
  fi
  echo "go install of the Temporal CLI failed" >&2
fi
if command -v curl >/dev/null 2>&1; then
  echo "trying the official download..." >&2
  archive="$(mktemp)"
  if curl -fsSL --max-time 60 "https://temporal.download/cli/archive/latest?platform=linux&arch=amd64" -o "$archive" \
     && tar -xzf "$archive" -C "$tools" temporal 2>/dev/null && works "$tools/temporal"; then
    rm -f "$archive"; echo "$tools/temporal"; exit 0
  fi
  rm -f "$archive"
fi
echo "no Temporal CLI: set TEMPORAL_CLI_PATH, put 'temporal' on PATH, install Go (for go install), or allow the download" >&2
exit 1
