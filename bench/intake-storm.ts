import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { signTourniquetRequest } from '../integrations/intake/common';
import { IncidentListingSchema, LISTING_MEMO_KEY } from '../domain/incident-listing';
import { startPostgresCluster } from '../test/support/postgres-cluster';
import { localActivityRun } from '../test/support/histories';
import { freePort } from '../test/support/processes';
import { startTemporalTarget, TARGET, TARGET_NAME } from './temporal-target';
import { useScratchTmpdir } from './scratch';

/**
 * Issue 11's storm: ALERTS alerts (default 5,000: 4,000 distinct credentials, 20% reported again by a
 * second source) posted with CONCURRENCY senders round-robin to PRODUCTS product processes (each
 * `node dist/workers/main.js`: worker + HTTP), beside bare starts of a no-op workflow on the same
 * Temporal server in the same run. Then:
 *  - drain: from the last alert accepted until every incident has left `planning` (planned, and its
 *    decision makers asked), read from visibility (each workflow's listing memo), every 2 s;
 *  - reads with every incident open: GET /api/incidents and GET /api/incidents/:id, sequential;
 *  - RSS of each product process: idle 5 s after ready, peak during storm + drain, after the reads;
 *  - accounting: 0 lost (every accepted alert's incident running), every sighting counted.
 * Beside them, in the same run: the Temporal server's and PostgreSQL's CPU per incident; the shape of
 * 20 incidents' histories; and the drain's baseline (SHAPE_BASELINE=0 skips it): bare runs of the
 * incidents' shape with no-op activities, on the same server before the storm.
 * PRODUCT_STDERR=1 passes the products' stderr through.
 * Run: npm run build && npx tsx bench/intake-storm.ts        (ALERTS=5000 CONCURRENCY=64 PRODUCTS=1)
 *      TARGET=cluster PRODUCTS=2 npx tsx bench/intake-storm.ts   (four-service cluster, two product processes)
 */
const ALERTS = Number(process.env.ALERTS ?? 5000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const PRODUCTS = Number(process.env.PRODUCTS ?? 1);
const READS = Number(process.env.READS ?? 200);
/** The API's default page (GET /api/incidents without `limit`), which the list's baseline reads too. */
const LIST_PAGE = 50;
/** The drain baseline's background work: activities, as the product's (SHAPE_BACKGROUND=local: local activities). */
const SHAPE_BACKGROUND = process.env.SHAPE_BACKGROUND === 'local' ? 'local' : 'activities';
const ROOT = join(__dirname, '..');
const SECRETS = {
  TRUFFLEHOG_HMAC_SECRET: randomBytes(16).toString('hex'),
  GENERIC_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
  AWS_HEALTH_SHARED_SECRET: randomBytes(16).toString('hex'),
};

interface Alert {
  path: string;
  headers: Record<string, string>;
  body: string;
}
interface Product {
  baseUrl: string;
  pid: number;
  child: ChildProcess;
}

async function main(): Promise<void> {
  useScratchTmpdir();
  // The product's workflows log every evidence record at INFO: printing them would slow the figures.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  if (!existsSync(join(ROOT, 'dist/workflow-bundle.js'))) throw new Error('run npm run build first');
  const postgres = await startPostgresCluster();
  let temporal: Awaited<ReturnType<typeof startTemporalTarget>> | undefined;
  const products: Product[] = [];
  try {
    temporal = await startTemporalTarget(postgres.url);
    const address = temporal.address;
    const shared = {
      FINGERPRINT_KEY: randomBytes(32).toString('hex'),
      VAULT_KEY: randomBytes(32).toString('hex'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-storm-')),
      TASK_QUEUE: `bench-storm-${randomBytes(4).toString('hex')}`,
    };
    // One after the other: the first runs the database migrations.
    for (let i = 0; i < PRODUCTS; i += 1) products.push(await startProduct(address, postgres.url, shared));
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idleRss = products.map((p) => rssMb(p.pid));
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    try {
      const serverCpu = () => sum(temporal!.pids().map((pid) => cpuSeconds(pid)));
      const bareCpuBefore = serverCpu();
      const bare = { ...(await bareStarts(client, address)), serverCpu: 0 };
      bare.serverCpu = serverCpu() - bareCpuBefore;
      const shape = process.env.SHAPE_BASELINE === '0' ? undefined : await shapeBaseline(address, client, serverCpu);
      const peak = products.map(() => 0);
      const sampler = setInterval(() => products.forEach((p, i) => (peak[i] = Math.max(peak[i]!, rssMb(p.pid)))), 500);
      const load: number[] = [];
      const loadSampler = setInterval(() => load.push(loadavg()[0]!), 5_000);
      const cpuBefore = products.map((p) => cpuSeconds(p.pid));
      const othersBefore = { temporal: serverCpu(), postgres: treeCpu(postgres.pid) };
      const storm = await stormOf(products.map((p) => p.baseUrl));
      const drain = await drainOf(client, storm.incidentIds.size);
      const cpu = products.map((p, i) => cpuSeconds(p.pid) - cpuBefore[i]!);
      const others = {
        temporal: serverCpu() - othersBefore.temporal,
        postgres: treeCpu(postgres.pid) - othersBefore.postgres,
      };
      const histories = await historyShapeOf(client, [...storm.incidentIds.values()]);
      const reads = await readsOf(
        products.map((p) => p.baseUrl),
        [...storm.incidentIds.keys()],
      );
      const visibility = await visibilityListsOf(client, shared.TASK_QUEUE);
      // The same reads once the background work the storm left (evidence, notifications) has settled.
      const quietAfterMs = await untilQuiet();
      const quiet = {
        afterMs: quietAfterMs,
        reads: await readsOf(
          products.map((p) => p.baseUrl),
          [...storm.incidentIds.keys()],
        ),
        visibility: await visibilityListsOf(client, shared.TASK_QUEUE),
      };
      const accounting = await account(client, products[0]!.baseUrl, [...storm.incidentIds.keys()]);
      clearInterval(sampler);
      clearInterval(loadSampler);
      const afterRss = products.map((p) => rssMb(p.pid));
      report({
        bare,
        shape,
        storm,
        drain,
        histories,
        others,
        reads,
        visibility,
        quiet,
        accounting,
        idleRss,
        peak,
        afterRss,
        load,
        cpu,
      });
    } finally {
      await connection.close();
    }
  } finally {
    for (const product of products) await stopProduct(product);
    await temporal?.stop();
    process.kill(postgres.pid, 'SIGTERM');
  }
}

async function startProduct(
  address: string,
  pgUrl: string,
  shared: { FINGERPRINT_KEY: string; VAULT_KEY: string; DATA_DIR: string; TASK_QUEUE: string },
): Promise<Product> {
  const port = await freePort();
  // PRODUCT_NODE_FLAGS: flags for the product's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
  const flags = (process.env.PRODUCT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, 'dist/workers/main.js'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: shared.TASK_QUEUE,
      HTTP_PORT: String(port),
      DATABASE_URL: pgUrl,
      CATALOG_PATH: join(ROOT, 'test/fixtures/catalog.test.yaml'),
      DATA_DIR: shared.DATA_DIR,
      FINGERPRINT_KEY: shared.FINGERPRINT_KEY,
      VAULT_KEY: shared.VAULT_KEY,
      TEST_PG_ADMIN_URL: pgUrl,
      LOG_LEVEL: 'error',
      INTAKE_MAX_IN_FLIGHT: '256',
      ...SECRETS,
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (process.env.PRODUCT_STDERR) process.stderr.write(chunk);
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`product did not become ready: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { baseUrl, pid: child.pid!, child };
}

async function stopProduct(product: Product): Promise<void> {
  if (product.child.exitCode !== null) return;
  const exited = new Promise((resolve) => product.child.once('exit', resolve));
  product.child.kill('SIGTERM');
  const timer = setTimeout(() => product.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** CPU seconds (user + system) a process used so far: a figure the machine's other load does not inflate much. */
/** Waits until the whole machine's CPU is under 15% busy for 3 s in a row (at most 3 minutes); ms waited. */
async function untilQuiet(): Promise<number> {
  const started = performance.now();
  const sample = () => {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const numbers = ticks.map(Number);
    return { idle: numbers[3]! + numbers[4]!, total: numbers.reduce((a, b) => a + b, 0) };
  };
  let quietSeconds = 0;
  let before = sample();
  while (quietSeconds < 3 && performance.now() - started < 180_000) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = sample();
    const busy = 1 - (now.idle - before.idle) / Math.max(1, now.total - before.total);
    quietSeconds = busy < 0.15 ? quietSeconds + 1 : 0;
    before = now;
  }
  return performance.now() - started;
}

function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * CPU seconds of a process tree (PostgreSQL: runuser, the postmaster, its backends): every live
 * process's own time plus what it reaped from children that have exited.
 */
function treeCpu(root: number): number {
  const stats = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.set(Number(entry), readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' '));
    } catch {
      // exited meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let at: number | undefined = pid; at && at > 1; at = Number(stats.get(at)?.[1])) if (at === root) return true;
    return false;
  };
  let total = 0;
  for (const [pid, fields] of stats)
    if (inTree(pid)) total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  return total;
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

async function pool<T>(items: T[], work: (item: T, index: number) => Promise<void>, width = CONCURRENCY) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
  return performance.now() - started;
}

/** The baseline: as many bare starts of a no-op workflow, same concurrency, same server, same run. */
async function bareStarts(client: Client, address: string): Promise<{ ms: number; count: number }> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: 'bench-noop',
    workflowsPath: require.resolve('./trivial-workflow.ts'),
  });
  const running = worker.run();
  const ids = Array.from({ length: ALERTS }, () => `noop-${randomUUID()}`);
  const ms = await pool(ids, async (workflowId) => {
    await client.workflow.start('benchNoop', { workflowId, taskQueue: 'bench-noop' });
  });
  worker.shutdown();
  await running;
  await connection.close();
  return { ms, count: ids.length };
}

/** The storm: TruffleHog tokens and AWS Health key ids, 20% reported again through the generic intake. */
function alertsOf(count: number): Alert[] {
  const distinct = Math.round(count * 0.8);
  const alerts: Alert[] = [];
  for (let i = 0; i < distinct; i += 1) {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const keyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    alerts.push(i % 2 === 0 ? trufflehog(token, i) : awsHealth(keyId));
    if (i < count - distinct) alerts.push(generic(i % 2 === 0 ? { value: token } : { identifiers: [keyId] }));
  }
  return alerts.sort(() => Math.random() - 0.5);
}

function signed(path: string, body: string, secret: string): Alert {
  return { path, body, headers: { 'content-type': 'application/json', ...signTourniquetRequest(body, secret) } };
}
function trufflehog(token: string, i: number): Alert {
  const finding = {
    SourceMetadata: {
      Data: {
        Git: {
          repository: `https://github.com/wave/pkg-${i % 25}.git`,
          commit: randomBytes(20).toString('hex'),
          file: '.npmrc',
          line: 1,
        },
      },
    },
    SourceName: 'trufflehog - git',
    DetectorName: 'Github',
    Verified: true,
    Raw: token,
  };
  return signed('/webhooks/trufflehog', JSON.stringify(finding), SECRETS.TRUFFLEHOG_HMAC_SECRET);
}
function generic(fields: Record<string, unknown>): Alert {
  return signed(
    '/webhooks/generic',
    JSON.stringify({ id: randomUUID(), detectedAt: new Date().toISOString(), campaign: 'storm', ...fields }),
    SECRETS.GENERIC_WEBHOOK_SECRET,
  );
}
function awsHealth(keyId: string): Alert {
  const body = JSON.stringify({
    id: randomUUID(),
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account: '123456789012',
    time: new Date().toISOString(),
    detail: {
      eventArn: 'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/x',
      eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
      communicationId: randomUUID(),
      affectedEntities: [{ entityValue: keyId }],
    },
  });
  return {
    path: '/webhooks/aws-health',
    body,
    headers: { 'content-type': 'application/json', 'x-tourniquet-secret': SECRETS.AWS_HEALTH_SHARED_SECRET },
  };
}

async function stormOf(baseUrls: string[]) {
  const alerts = alertsOf(ALERTS);
  const counts = { accepted: 0, duplicate: 0, shed429: 0, other: 0 };
  const incidentIds = new Map<string, string>();
  const ms = await pool(alerts, async (alert, index) => {
    const baseUrl = baseUrls[index % baseUrls.length]!;
    for (;;) {
      const response = await fetch(`${baseUrl}${alert.path}`, {
        method: 'POST',
        headers: alert.headers,
        body: alert.body,
      });
      const body = (await response.json()) as {
        status?: string;
        incidents?: Array<{ incidentId: string; workflowId: string }>;
      };
      if (response.status === 429) {
        counts.shed429 += 1;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (response.status === 200 && body.status === 'accepted') counts.accepted += 1;
      else if (response.status === 200) counts.duplicate += 1;
      else counts.other += 1;
      for (const incident of body.incidents ?? []) incidentIds.set(incident.incidentId, incident.workflowId);
      return;
    }
  });
  return { ms, count: alerts.length, counts, incidentIds };
}

/** Until every incident's listing (visibility memo) has left `planning`; seconds after the last alert accepted. */
function drainOf(client: Client, incidents: number) {
  return untilListed(
    client,
    incidents,
    `WorkflowType = 'leakedSecretIncident' AND ExecutionStatus = 'Running'`,
    (memo) => {
      const listing = IncidentListingSchema.safeParse(memo?.[LISTING_MEMO_KEY]);
      return listing.success && listing.data.phase !== 'planning';
    },
  );
}

/** Until `count` runs matching `query` have a memo that is `done`, polled from visibility every 2 s. */
async function untilListed(
  client: Client,
  count: number,
  query: string,
  done: (memo: Record<string, unknown> | undefined) => boolean,
) {
  const since = performance.now();
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    let planned = 0;
    for await (const execution of client.workflow.list({ query, pageSize: 1_000 }))
      if (done(execution.memo)) planned += 1;
    if (planned >= count) return { ms: performance.now() - since, planned };
    if (Date.now() > deadline) throw new Error(`drain: ${planned} of ${count} after 30 min`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/**
 * The drain's baseline, before the storm on the same server: bare Temporal runs of the incidents'
 * shape (bench/trivial-workflow.ts), one per distinct credential of the storm, signal-with-start with
 * the same concurrency and the repeated reports as signals, in a worker of this process with the
 * product's workflow cache. Then: from the last signal until every run is where a drained incident is.
 */
async function shapeBaseline(address: string, client: Client, serverCpu: () => number) {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: 'bench-shape',
    workflowsPath: require.resolve('./trivial-workflow.ts'),
    activities: { step: async () => undefined },
    maxCachedWorkflows: Number(process.env.TEMPORAL_MAX_CACHED_WORKFLOWS ?? 100),
  });
  const running = worker.run();
  try {
    const cpuBefore = serverCpu();
    const runs = Math.round(ALERTS * 0.8);
    const ids = Array.from({ length: runs }, () => `shape-${randomUUID()}`);
    const signals = [...ids, ...ids.slice(0, ALERTS - runs)].sort(() => Math.random() - 0.5);
    const ms = await pool(signals, async (workflowId) => {
      await client.workflow.signalWithStart('benchIncidentShape', {
        workflowId,
        taskQueue: 'bench-shape',
        args: [SHAPE_BACKGROUND],
        signal: 'sighting',
        signalArgs: [1],
      });
    });
    const drain = await untilListed(
      client,
      runs,
      `WorkflowType = 'benchIncidentShape' AND ExecutionStatus = 'Running'`,
      (memo) => memo?.phase === 'asked',
    );
    const cpu = serverCpu() - cpuBefore;
    // Ended, so that the storm after finds the server as the baseline found it (no 4,000 runs of another kind open).
    await pool(ids, async (workflowId) => {
      await client.workflow.getHandle(workflowId).terminate('bench baseline measured');
    });
    return { signals: signals.length, runs, ms, drainMs: drain.ms, serverCpu: cpu, background: SHAPE_BACKGROUND };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}

/**
 * What the worker did per incident, from 20 incidents' histories once drained: events, workflow tasks
 * (each an activation of the workflow, and a replay of the run when it had left the worker's cache),
 * activities and local activities, by name.
 */
async function historyShapeOf(client: Client, workflowIds: string[]) {
  const sample = workflowIds.slice(0, 20);
  const totals = {
    events: 0,
    bytes: 0,
    largest: new Map<string, number>(),
    workflowTasks: 0,
    activities: new Map<string, number>(),
    local: new Map<string, number>(),
  };
  const add = (map: Map<string, number>, name: string) => map.set(name, (map.get(name) ?? 0) + 1 / sample.length);
  for (const workflowId of sample) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    totals.events += events.length / sample.length;
    totals.bytes += temporal.api.history.v1.History.encode(history).finish().length / sample.length;
    for (const event of events) {
      const size = temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
      const kind =
        String(event.eventType) +
        ' ' +
        (event.activityTaskScheduledEventAttributes?.activityType?.name ?? localActivityRun(event)?.activityType ?? '');
      totals.largest.set(kind, (totals.largest.get(kind) ?? 0) + size / sample.length);
    }
    for (const event of events) {
      if (event.workflowTaskCompletedEventAttributes) totals.workflowTasks += 1 / sample.length;
      const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (activity) add(totals.activities, activity);
      const local = localActivityRun(event);
      if (local) add(totals.local, local.activityType);
    }
  }
  return totals;
}

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: 'Bearer token-erin' } });
  await response.text();
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

async function readsOf(baseUrls: string[], incidentIds: string[]) {
  const list: number[] = [];
  const one: number[] = [];
  for (let i = 0; i < 50; i += 1) list.push(await timed(`${baseUrls[i % baseUrls.length]}/api/incidents`));
  for (let i = 0; i < READS; i += 1) {
    const id = incidentIds[Math.floor(Math.random() * incidentIds.length)]!;
    one.push(await timed(`${baseUrls[i % baseUrls.length]}/api/incidents/${encodeURIComponent(id)}`));
  }
  return { list, one };
}

/**
 * The baseline of the list read: the same visibility query the product's first page runs (its
 * running incidents on its task queue, a page of LIST_PAGE, memos included), straight from a Temporal client.
 */
async function visibilityListsOf(client: Client, taskQueue: string): Promise<number[]> {
  const query = `WorkflowType = 'leakedSecretIncident' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
  const times: number[] = [];
  for (let i = 0; i < 50; i += 1) {
    const started = performance.now();
    let read = 0;
    for await (const execution of client.workflow.list({ query, pageSize: LIST_PAGE })) {
      read += execution.memo ? 1 : 0;
      if (read >= LIST_PAGE) break;
    }
    times.push(performance.now() - started);
  }
  return times;
}

/** 0 lost: every accepted incident running in Temporal; every sighting counted (Σ status.sightings). */
async function account(client: Client, baseUrl: string, incidentIds: string[]) {
  let sightings = 0;
  await pool(
    incidentIds,
    async (id) => {
      const response = await fetch(`${baseUrl}/api/incidents/${encodeURIComponent(id)}`, {
        headers: { authorization: 'Bearer token-erin' },
      });
      if (!response.ok) throw new Error(`status of ${id}: ${response.status} ${await response.text()}`);
      sightings += ((await response.json()) as { sightings: number }).sightings;
    },
    16,
  );
  const { count } = await client.workflow.count(
    `WorkflowType = 'leakedSecretIncident' AND ExecutionStatus = 'Running'`,
  );
  return { incidents: incidentIds.length, runningInTemporal: count, sightings };
}

function q(values: number[], p: number): number {
  return [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1]!;
}

function report(r: {
  bare: { ms: number; count: number; serverCpu: number };
  storm: Awaited<ReturnType<typeof stormOf>>;
  drain: Awaited<ReturnType<typeof drainOf>>;
  shape: Awaited<ReturnType<typeof shapeBaseline>> | undefined;
  histories: Awaited<ReturnType<typeof historyShapeOf>>;
  others: { temporal: number; postgres: number };
  reads: Awaited<ReturnType<typeof readsOf>>;
  visibility: number[];
  quiet: { afterMs: number; reads: Awaited<ReturnType<typeof readsOf>>; visibility: number[] };
  accounting: Awaited<ReturnType<typeof account>>;
  idleRss: number[];
  peak: number[];
  afterRss: number[];
  load: number[];
  cpu: number[];
}): void {
  const rate = (count: number, ms: number) => (count / ms) * 1000;
  const intake = rate(r.storm.count, r.storm.ms);
  const bare = rate(r.bare.count, r.bare.ms);
  const names = (counts: Map<string, number>) =>
    [...counts].map(([name, count]) => `${name} ${count.toFixed(1)}`).join(', ') || 'none';
  const mb = (values: number[]) => values.map((v) => `${v.toFixed(0)} MB`).join(' / ');
  const n = r.accounting.incidents;
  console.log(
    [
      `\n${TARGET_NAME}, ${PRODUCTS} product process(es), ${ALERTS} alerts, concurrency ${CONCURRENCY}, load average during the run ${Math.min(...r.load).toFixed(1)}–${Math.max(...r.load).toFixed(1)}\n`,
      '| measure | result |',
      '|---|---|',
      `| alerts posted / accepted / duplicate / other / 429 | ${r.storm.count} / ${r.storm.counts.accepted} / ${r.storm.counts.duplicate} / ${r.storm.counts.other} / ${r.storm.counts.shed429} |`,
      `| incidents opened / running in Temporal | ${n} / ${r.accounting.runningInTemporal} |`,
      `| sightings (Σ status.sightings) / alerts accepted | ${r.accounting.sightings} / ${r.storm.counts.accepted} |`,
      `| intake | ${intake.toFixed(0)} alerts/s (${(r.storm.ms / 1000).toFixed(1)} s) |`,
      `| bare workflow starts, same server (baseline) | ${bare.toFixed(0)} starts/s (${(r.bare.ms / 1000).toFixed(1)} s) |`,
      `| intake / bare starts | ${(intake / bare).toFixed(2)} |`,
      `| drain: last alert accepted → all ${n} planned and asked | ${(r.drain.ms / 1000).toFixed(0)} s (±2 s poll) |`,
      `| history bytes per incident; largest kinds | ${r.histories.bytes.toFixed(0)}; ${[...r.histories.largest]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ')} |`,
      `| per incident, once drained (20 histories): events; workflow tasks; activities; local activities | ${r.histories.events.toFixed(1)}; ${r.histories.workflowTasks.toFixed(1)}; ${names(r.histories.activities)}; ${names(r.histories.local)} |`,
      ...(r.shape
        ? [
            `| baseline: bare runs of the incident's shape (no-op activities; background work as ${r.shape.background === 'local' ? 'local activities' : 'activities'}), ${r.shape.runs} signal-with-start + ${r.shape.signals - r.shape.runs} signals, same server, before the storm | ${rate(r.shape.signals, r.shape.ms).toFixed(0)} signals/s (${(r.shape.ms / 1000).toFixed(1)} s); drained ${(r.shape.drainMs / 1000).toFixed(0)} s after the last; server CPU ${((r.shape.serverCpu * 1000) / r.shape.runs).toFixed(0)} ms per run |`,
          ]
        : []),
      `| planning rate, accept start → drained | ${(n / ((r.storm.ms + r.drain.ms) / 1000)).toFixed(0)} incidents/s |`,
      `| product CPU, storm + drain (user + system) | ${r.cpu.map((c) => `${c.toFixed(0)} s`).join(' / ')} = ${((r.cpu.reduce((a, b) => a + b, 0) * 1000) / n).toFixed(0)} ms per incident |`,
      `| Temporal server CPU (${TARGET}), storm + drain | ${r.others.temporal.toFixed(0)} s = ${((r.others.temporal * 1000) / n).toFixed(0)} ms per incident |`,
      `| baseline: Temporal server CPU per bare workflow (start, one workflow task, completed), same run | ${((r.bare.serverCpu * 1000) / r.bare.count).toFixed(1)} ms |`,
      `| PostgreSQL CPU (product database${TARGET === 'cluster' ? ' and Temporal persistence' : ''}), storm + drain | ${r.others.postgres.toFixed(0)} s = ${((r.others.postgres * 1000) / n).toFixed(0)} ms per incident |`,
      `| GET /api/incidents, ${n} open (50 sequential) | p50 ${q(r.reads.list, 50).toFixed(0)} ms, p95 ${q(r.reads.list, 95).toFixed(0)} ms |`,
      `| baseline: the same visibility query from a Temporal client (first ${LIST_PAGE}, 50 sequential) | p50 ${q(r.visibility, 50).toFixed(0)} ms, p95 ${q(r.visibility, 95).toFixed(0)} ms |`,
      `| once the machine is quiet (${(r.quiet.afterMs / 1000).toFixed(0)} s after the reads above): GET /api/incidents p50 / p95; the visibility query p50 / p95; GET /api/incidents/:id p50 / p95 | ${q(r.quiet.reads.list, 50).toFixed(0)} / ${q(r.quiet.reads.list, 95).toFixed(0)} ms; ${q(r.quiet.visibility, 50).toFixed(0)} / ${q(r.quiet.visibility, 95).toFixed(0)} ms; ${q(r.quiet.reads.one, 50).toFixed(0)} / ${q(r.quiet.reads.one, 95).toFixed(0)} ms |`,
      `| GET /api/incidents/:id, ${n} open (${READS} random, sequential) | p50 ${q(r.reads.one, 50).toFixed(0)} ms, p95 ${q(r.reads.one, 95).toFixed(0)} ms |`,
      `| product RSS idle, 5 s after ready | ${mb(r.idleRss)} |`,
      `| product RSS peak during storm, drain and reads | ${mb(r.peak)} |`,
      `| product RSS with ${n} open, after the reads | ${mb(r.afterRss)} |`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
