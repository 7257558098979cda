#!/usr/bin/env bash
# `npm run bench`: every benchmark, one after the other (each starts its own Temporal dev server
# and PostgreSQL). Results go to stdout; BENCHMARKS.md records the figures with their commands.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash scripts/temporal-cli.sh >/dev/null
bash scripts/temporal-cluster.sh build >/dev/null
echo "== latency beside its floor, dev server (issue 11)"; npx tsx bench/latency-floor.ts
echo "== latency beside its floor, cluster (issue 11)";    TARGET=cluster npx tsx bench/latency-floor.ts
echo "== provider containment (issue 6)";  npx tsx bench/provider-containment.ts
echo "== closure evidence bundle (issue 5)"; npx tsx bench/evidence-bundle.ts
echo "== metrics + tracing overhead (issue 12)"; npx tsx bench/observability-overhead.ts
echo "== history size (issue 9)";          npx tsx bench/history-size.ts
echo "== intake storm (issue 4)";           ALERTS="${ALERTS:-5000}" npx tsx bench/intake-storm.ts
