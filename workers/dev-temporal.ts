import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from './config';
import { ownDataDir } from './data-dir';

/**
 * Dynamic config of every Temporal server the product starts or the scripts run (dev server, test
 * server, scripts/temporal-cluster.sh):
 *  - activities scheduled by a workflow task go straight back to the worker that completed it (eager
 *    dispatch) instead of a round trip through matching;
 *  - the history service reads its task queues (transfer: new workflow and activity tasks; timer) at
 *    most 20 times a second per shard by default, so once tasks come faster than that — incidents one
 *    after another, a storm — each new task waits up to 50 ms before it reaches matching (measured: a
 *    new incident's first workflow task waited 24–47 ms for a worker that was idle, 2–6 ms with the
 *    limit raised). The dev server has one shard; the reads happen only when there are new tasks;
 *  - visibility calls (the incident list) are limited to 10 a second per namespace and frontend by
 *    default: past that a list waits for the client's retry (≈ 1.5 s). 100 leaves room for dashboards.
 */
export const DEV_SERVER_DYNAMIC_CONFIG = [
  'system.enableActivityEagerExecution=true',
  'history.transferProcessorMaxPollRPS=1000',
  'history.timerProcessorMaxPollRPS=1000',
  'frontend.namespaceRPS.visibility=100',
];

/**
 * How the dev server keeps its SQLite file. SQLite's default journal (a rollback journal) syncs each
 * commit at least twice (the journal, then the file), and the dev server has one connection to the
 * file, so every workflow start, task and activity waits behind those syncs: bare runs of a storm incident's
 * shape drained 1,000 runs in 110 s on the file against 38–45 s in memory (BENCHMARKS.md, session 10).
 * A write-ahead log syncs each commit once and keeps it as durable: `synchronous=FULL` syncs the log
 * at every commit, so what Temporal acknowledged survives a crash of the server and of the machine
 * (60 s for the same runs). `synchronous=NORMAL` would be faster still (44–49 s) but may lose the
 * last commits on a power cut: not for a product that answers 202 to an alert.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=WAL', 'synchronous=FULL'];

/**
 * Starts the local Temporal dev server for the quick start: SQLite in DATA_DIR so open incidents
 * survive a restart, the Web UI on TEMPORAL_UI_PORT. The CLI comes from scripts/temporal-cli.sh.
 */
export async function startDevTemporal(
  config: Config,
  logger: Logger,
): Promise<{ address: string; uiUrl: string; child: ChildProcess }> {
  // Compiled code runs from dist/workers, sources from workers/: look in both places.
  const scriptPath = [
    resolve(__dirname, '../../scripts/temporal-cli.sh'),
    resolve(__dirname, '../scripts/temporal-cli.sh'),
  ].find((path) => existsSync(path))!;
  const cli = execFileSync('bash', [scriptPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TEMPORAL_CLI_PATH: config.TEMPORAL_CLI_PATH ?? '' },
  })
    .toString()
    .trim();
  ownDataDir(config.DATA_DIR, logger);
  await stopLeftDevServer(config.DATA_DIR, logger);
  // The server would fail to bind, and a port that something else holds would look like a server that started.
  for (const [name, port] of [
    ['TEMPORAL_DEV_PORT', config.TEMPORAL_DEV_PORT],
    ['TEMPORAL_UI_PORT', config.TEMPORAL_UI_PORT],
  ] as const) {
    if (await portOpen(port))
      throw new Error(
        `cannot start the Temporal dev server: 127.0.0.1:${port} (${name}) is in use by another process. ` +
          `Stop it, set ${name} to a free port, or set TEMPORAL_ADDRESS to use a Temporal server that runs already.`,
      );
  }
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(config.TEMPORAL_DEV_PORT),
    '--ui-port',
    String(config.TEMPORAL_UI_PORT),
    '--db-filename',
    join(config.DATA_DIR, 'temporal.db'),
    ...DEV_SERVER_SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    '--namespace',
    config.TEMPORAL_NAMESPACE,
    '--log-level',
    'warn',
    ...DEV_SERVER_DYNAMIC_CONFIG.flatMap((setting) => ['--dynamic-config-value', setting]),
  ];
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let lastError = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    lastError = chunk.toString().trim();
    logger.warn({ component: 'temporal-dev-server' }, lastError);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(
        new Error(`the Temporal dev server exited (${signal ?? `code ${code}`}) before it listened: ${lastError}`),
      ),
    ),
  );
  exited.catch(() => undefined); // once it listens, a later exit is the product's stop, not a start failure
  try {
    await Promise.race([waitForPort(config.TEMPORAL_DEV_PORT, 60_000), exited]);
  } catch (error) {
    // A server that never listened is not left running behind the error.
    child.kill('SIGKILL');
    throw error;
  }
  const record: DevServerRecord = { productPid: process.pid, serverPid: child.pid! };
  writeFileSync(join(config.DATA_DIR, DEV_SERVER_RECORD), JSON.stringify(record), { mode: 0o600 });
  return {
    address: `127.0.0.1:${config.TEMPORAL_DEV_PORT}`,
    uiUrl: `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`,
    child,
  };
}

/** Which product started the dev server on DATA_DIR's file, and its pid: DATA_DIR/temporal-dev-server.json. */
const DEV_SERVER_RECORD = 'temporal-dev-server.json';
const DevServerRecordSchema = z.object({
  productPid: z.number().int().positive(),
  serverPid: z.number().int().positive(),
});
type DevServerRecord = z.infer<typeof DevServerRecordSchema>;

/**
 * A product killed before it could stop its dev server (SIGKILL, a crash, the OOM killer) leaves that
 * server running on DATA_DIR's file and ports, and the next start would find them taken. The next start
 * on the same DATA_DIR stops it, once it has made sure that the process is that dev server (its command
 * line names this file) and that the product which started it is gone. While that product lives, the
 * start fails: two servers on one SQLite file would each take the other's work for lost. Linux only
 * (it reads /proc); elsewhere the ports' check still refuses a second start.
 */
async function stopLeftDevServer(dataDir: string, logger: Logger): Promise<void> {
  const file = join(dataDir, DEV_SERVER_RECORD);
  if (!existsSync(file) || !existsSync('/proc')) return;
  let record: DevServerRecord;
  try {
    record = DevServerRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return; // not a record this product wrote; the ports' check still guards the start
  }
  const database = resolve(dataDir, 'temporal.db');
  const server = commandLine(record.serverPid);
  const serves = server?.includes('start-dev') && server.some((arg) => resolveIn(record.serverPid, arg) === database);
  if (!serves) return; // gone, or the pid is another process's now
  const product = commandLine(record.productPid);
  if (record.productPid !== process.pid && product?.some((arg) => /workers\/main\.[jt]s$/.test(arg)))
    throw new Error(
      `DATA_DIR ${dataDir} is in use by another Tourniquet (pid ${record.productPid}), whose Temporal dev server ` +
        `(pid ${record.serverPid}) runs on its file. Stop it, or give this one another DATA_DIR.`,
    );
  logger.warn(
    { pid: record.serverPid, productPid: record.productPid },
    'stopping the Temporal dev server that a product which ended without stopping it left running on DATA_DIR',
  );
  signal(record.serverPid, 'SIGTERM');
  for (let waited = 0; commandLine(record.serverPid); waited += 50) {
    if (waited === 10_000) signal(record.serverPid, 'SIGKILL');
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/** A process's arguments, or undefined once it is gone (a zombie has none). */
function commandLine(pid: number): string[] | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return args.length > 0 ? args : undefined;
  } catch {
    return undefined;
  }
}

/** A path argument of a process, resolved in that process's working directory. */
function resolveIn(pid: number, arg: string): string | undefined {
  try {
    return resolve(readlinkSync(`/proc/${pid}/cwd`), arg);
  } catch {
    return undefined;
  }
}

/** Stops the dev server this process started and waits until it has exited (SIGKILL after 10 s). */
export async function stopDevTemporal(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    await new Promise((wake) => setTimeout(wake, 250));
  }
  throw new Error(`the Temporal dev server did not listen on port ${port} within ${timeoutMs / 1000}s`);
}
