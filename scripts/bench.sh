#!/usr/bin/env bash
# `npm run bench`: every benchmark, one after the other (each starts its own Temporal server and
# PostgreSQL, and stops them). Results go to stdout; BENCHMARKS.md records the figures with their commands.
# Heavy: the storm posts 5,000 alerts (ALERTS=… to change). Run it on a quiet machine.
# The dev server keeps a SQLite file as `npm start` runs it; DATABASE=memory runs it in memory
# (bench/temporal-target.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash scripts/temporal-cli.sh >/dev/null
bash scripts/temporal-cluster.sh build >/dev/null
npm run build >/dev/null   # the storm and start-up benches run the built product (dist/, prebuilt workflow bundle)
echo "== latency beside its floor, dev server (issue 11)"; npx tsx bench/latency-floor.ts
echo "== latency beside its floor, cluster (issue 11)";    TARGET=cluster npx tsx bench/latency-floor.ts
echo "== worker start-up and idle RSS (issue 11)";         npx tsx bench/worker-startup.ts
echo "== storm drain, reads and RSS with every incident open, dev server (issue 11)"
ALERTS="${ALERTS:-5000}" npx tsx bench/intake-storm.ts
echo "== the same storm on the cluster, two product processes (issue 11)"
ALERTS="${ALERTS:-5000}" TARGET=cluster PRODUCTS=2 npx tsx bench/intake-storm.ts
echo "== the incidents' shape on bare Temporal, background work as activities and as local activities (issue 11)"
npx tsx bench/incident-shape.ts
echo "== provider containment (issue 6)";  npx tsx bench/provider-containment.ts
echo "== closure evidence bundle (issue 5)"; npx tsx bench/evidence-bundle.ts
echo "== metrics + tracing overhead (issue 12)"; npx tsx bench/observability-overhead.ts
echo "== history size (issue 9)";          npx tsx bench/history-size.ts
