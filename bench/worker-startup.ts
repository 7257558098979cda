import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgresCluster } from '../test/support/postgres-cluster';
import { freePort } from '../test/support/processes';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';
import { useScratchTmpdir } from './scratch';

/**
 * Start-up to ready and idle RSS of the product process (worker + HTTP), in one run on one server:
 * the built product loading dist/workflow-bundle.js (npm run build) on an external PostgreSQL and on
 * its embedded database (first start in an empty DATA_DIR, then a restart on it), beside the same
 * product from sources, which bundles the workflows with webpack at start-up. Every process runs with
 * the heap limit `npm start` sets. The RSS of the processes the product started (the embedded
 * database) is shown apart from the product's own.
 * Run: npm run build && npx tsx bench/worker-startup.ts   (RUNS=3)
 */
const RUNS = Number(process.env.RUNS ?? 3);
const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  useScratchTmpdir();
  if (!existsSync(join(ROOT, 'dist/workflow-bundle.js'))) throw new Error('run npm run build first');
  const [temporal, postgres] = await Promise.all([startTemporalDevServer(), startPostgresCluster()]);
  const rows: string[] = [];
  try {
    const built = ['dist/workers/main.js'];
    const cases: Array<{ name: string; args: string[]; database: 'external' | 'embedded-first' | 'embedded-restart' }> =
      [
        { name: 'built, external PostgreSQL', args: built, database: 'external' },
        { name: 'built, embedded database, first start (empty DATA_DIR)', args: built, database: 'embedded-first' },
        { name: 'built, embedded database, restart', args: built, database: 'embedded-restart' },
        {
          name: 'from sources, webpack at start (node --import tsx workers/main.ts), external PostgreSQL',
          args: ['--import', 'tsx', 'workers/main.ts'],
          database: 'external',
        },
      ];
    for (const { name, args, database } of cases) {
      const figures: Figure[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const dataDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
        // A restart is measured on a DATA_DIR whose embedded database a first start has created.
        if (database === 'embedded-restart') await startOnce(args, temporal.address, undefined, dataDir);
        figures.push(
          await startOnce(args, temporal.address, database === 'external' ? postgres.url : undefined, dataDir),
        );
        rmSync(dataDir, { recursive: true, force: true }); // an embedded database is 39 MB
      }
      const m = (pick: (figure: Figure) => number) => median(figures.map(pick)).toFixed(0);
      rows.push(
        `| ${name} | ${m((f) => f.readyMs)} ms | ${m((f) => f.idleRssMb)} MB | ${m((f) => f.peakRssMb)} MB | ` +
          `${database === 'external' ? '—' : `${m((f) => f.childrenRssMb)} MB`} |`,
      );
    }
  } finally {
    for (const pid of [temporal.pid, postgres.pid]) process.kill(pid, 'SIGTERM');
  }
  console.log(
    [
      '| product process | start → ready | RSS idle 5 s after ready | peak RSS (VmHWM) | its child processes, RSS idle |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
}

interface Figure {
  readyMs: number;
  idleRssMb: number;
  peakRssMb: number;
  childrenRssMb: number;
}

async function startOnce(args: string[], address: string, pgUrl: string | undefined, dataDir: string): Promise<Figure> {
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
      ...(pgUrl ? { DATABASE_URL: pgUrl } : {}),
      CATALOG_PATH: join(ROOT, 'test/fixtures/catalog.test.yaml'),
      DATA_DIR: dataDir,
      FINGERPRINT_KEY: randomBytes(32).toString('hex'),
      VAULT_KEY: randomBytes(32).toString('hex'),
      TEST_PG_ADMIN_URL: pgUrl,
      LOG_LEVEL: 'error',
      NODE_OPTIONS: '--max-old-space-size=256',
    },
  });
  let children: number[] = [];
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
    children = childPids(child.pid!);
    const kb = (pid: number, field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return {
      readyMs,
      idleRssMb: kb(child.pid!, 'VmRSS') / 1024,
      peakRssMb: kb(child.pid!, 'VmHWM') / 1024,
      childrenRssMb: children.reduce((sum, pid) => sum + kb(pid, 'VmRSS'), 0) / 1024,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    for (const pid of children) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
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
