import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgresCluster } from '../test/support/postgres-cluster';
import { freePort } from '../test/support/processes';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';

/**
 * Start-up to ready and idle RSS of the product process (worker + HTTP), in one run on one server:
 * the built product loading dist/workflow-bundle.js (npm run build) beside the same product from
 * sources, which bundles the workflows with webpack at start-up.
 * Run: npm run build && npx tsx bench/worker-startup.ts   (RUNS=3)
 */
const RUNS = Number(process.env.RUNS ?? 3);
const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/workflow-bundle.js'))) throw new Error('run npm run build first');
  const [temporal, postgres] = await Promise.all([startTemporalDevServer(), startPostgresCluster()]);
  const rows: string[] = [];
  try {
    for (const [name, args] of [
      ['built, prebuilt workflow bundle (node dist/workers/main.js)', ['dist/workers/main.js']],
      ['from sources, webpack at start (node --import tsx workers/main.ts)', ['--import', 'tsx', 'workers/main.ts']],
    ] as const) {
      const ready: number[] = [];
      const rss: number[] = [];
      const peak: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const figure = await startOnce([...args], temporal.address, postgres.url);
        ready.push(figure.readyMs);
        rss.push(figure.idleRssMb);
        peak.push(figure.peakRssMb);
      }
      rows.push(
        `| ${name} | ${median(ready).toFixed(0)} ms | ${median(rss).toFixed(0)} MB | ${median(peak).toFixed(0)} MB |`,
      );
    }
  } finally {
    for (const pid of [temporal.pid, postgres.pid]) process.kill(pid, 'SIGTERM');
  }
  console.log(
    [
      '| product process | start → ready | RSS idle 5 s after ready | peak RSS (VmHWM) |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
}

async function startOnce(args: string[], address: string, pgUrl: string) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: `bench-startup-${randomBytes(4).toString('hex')}`,
      HTTP_PORT: String(port),
      DATABASE_URL: pgUrl,
      CATALOG_PATH: join(ROOT, 'test/fixtures/catalog.test.yaml'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-startup-')),
      FINGERPRINT_KEY: randomBytes(32).toString('hex'),
      VAULT_KEY: randomBytes(32).toString('hex'),
      TEST_PG_ADMIN_URL: pgUrl,
      LOG_LEVEL: 'error',
    },
  });
  try {
    // Ready = the HTTP API answers /readyz (worker polling, database and catalog checked).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${args.join(' ')} did not become ready`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readyMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { readyMs, idleRssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
