import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { workflowIdOfIncident } from '../../../domain/ids';
import { testCatalogWith } from '../../support/catalog';
import { createTestDatabase, testEnvironment } from '../../support/environment';
import { api, eventually } from '../../support/http';
import { localActivityRun } from '../../support/histories';
import { terminateIncidents, waitForNoPendingActivity } from '../../support/incidents';
import { processAlive, waitForPortClosed, waitUntilGone } from '../../support/processes';
import { productEnv, startProductProcess, type ProductProcess } from '../../support/product-process';
import { createLoginRole, loginAs } from '../../support/roles';

const ROLE = 'ops_shutdown_app';

/**
 * A PostgreSQL proxy that delays (never drops) the statements matching `pattern` until `open()`:
 * the revocation is in flight, held before it reaches the provider, for as long as the test needs.
 */
class Gate {
  reached = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));

  constructor(
    private readonly targetPort: number,
    private readonly pattern: RegExp,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      let queue = Promise.resolve();
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk: Buffer) => {
        const held = this.pattern.test(chunk.toString('latin1'));
        if (held) this.reached += 1;
        queue = queue.then(() => (held ? this.gate : undefined)).then(() => void upstream.write(chunk));
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  open(): void {
    this.opened();
  }

  async stop(): Promise<void> {
    this.open();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('SIGTERM: graceful shutdown of a worker with an activity in flight', () => {
  let gate: Gate | undefined;
  let product: ProductProcess | undefined;
  let incidentId: string | undefined;
  afterAll(async () => {
    gate?.open();
    if (product && processAlive(product.pid)) await product.kill();
    await gate?.stop();
    const connection = await Connection.connect({ address: testEnvironment().temporalAddress });
    if (incidentId) await terminateIncidents(new Client({ connection }), [incidentId]);
    await connection.close();
  });

  it('stops accepting HTTP at once, lets the in-flight revocation finish, cuts a long poll at the grace time, exits 0', async () => {
    const environment = testEnvironment();
    gate = new Gate(Number(new URL(environment.databaseUrl).port), new RegExp(`ALTER ROLE "${ROLE}" NOLOGIN`));
    const admin = new URL(environment.databaseUrl);
    admin.port = String(await gate.start());
    const catalogPath = testCatalogWith({
      secrets: [
        {
          id: 'shutdown-db',
          description: 'role of the graceful shutdown test only',
          provider: 'postgres',
          locator: { adminUrlSetting: 'SHUTDOWN_PG_ADMIN_URL', role: ROLE },
          matchers: [ROLE],
          ownerTeam: 'payments',
          issuingTeam: 'platform',
          tier: 'high',
        },
      ],
    });
    const env = productEnv({
      databaseUrl: await createTestDatabase('shutdown'),
      catalogPath,
      dataDir: mkdtempSync(join(tmpdir(), 'tourniquet-shutdown-')),
      extra: { SHUTDOWN_PG_ADMIN_URL: admin.toString(), SHUTDOWN_GRACE_MS: '20000' },
    });
    product = await startProductProcess(env);
    const httpPort = Number(new URL(product.baseUrl).port);
    const exited = new Promise<number | null>((resolve) => product!.service.child.once('exit', resolve));

    const password = await createLoginRole(ROLE);
    const opened = await api(product.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'shutdown-db', leakedValue: password },
    });
    expect(opened.status).toBe(202);
    const id = opened.body.incidentId as string;
    incidentId = id;
    await eventually(
      () => api(product!.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
      (r) => r.body?.phase === 'awaiting-decision',
      60_000,
      'awaiting decision',
    );
    // Nothing else in flight: the revocation's first attempt runs as a local activity (patch 'local-call-alone').
    const watcher = await Connection.connect({ address: environment.temporalAddress });
    await waitForNoPendingActivity(new Client({ connection: watcher }), id).finally(() => watcher.close());
    // The answer may wait for containment, which the gate holds: not awaited.
    void api(product.baseUrl, 'POST', `/api/incidents/${id}/decision`, {
      as: 'alice',
      body: { choice: 'revoke' },
    }).catch(() => undefined);
    await eventually(
      async () => gate!.reached,
      (reached) => reached > 0,
      60_000,
      'revocation in flight',
    );
    // In flight and not yet effective: the leaked password still logs in.
    await (await loginAs(ROLE, password)).end();

    // A two-minute long poll is open when the signal comes: it must not hold the exit past the grace.
    const longPoll = await openLongPoll(product.baseUrl, id);

    process.kill(product.pid, 'SIGTERM');
    await waitForPortClosed(httpPort, 10_000, 'HTTP server after SIGTERM');
    // HTTP is closed while the process waits for its activity: it has not simply died.
    expect(processAlive(product.pid)).toBe(true);

    gate.open();
    expect(await exited).toBe(0);
    expect(await longPoll.ended).toBe('cut');
    await waitUntilGone(product.pid, 10_000, 'product process');

    // The provider's real state: the revocation took effect.
    await expect(loginAs(ROLE, password)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    // And Temporal recorded it as completed by the stopping worker, on its first attempt: the local activity's
    // marker, answered, and no activity task scheduled to retry it.
    const connection = await Connection.connect({ address: environment.temporalAddress });
    const history = await new Client({ connection }).workflow.getHandle(workflowIdOfIncident(id)).fetchHistory();
    await connection.close();
    const events = history.events ?? [];
    const revocations = events.flatMap((event) => localActivityRun(event) ?? []);
    expect(revocations.filter((run) => run.activityType === 'revokeCredential')).toEqual([
      { activityType: 'revokeCredential', attempt: 1, failed: false },
    ]);
    expect(events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'revokeCredential')).toBe(
      false,
    );
  });
});

/**
 * `GET ?waitFor=closed&timeoutMs=120000` over a raw request; resolves once the request is fully
 * written, with a promise of how it ends: its status code, or `cut` when the connection was closed.
 */
async function openLongPoll(baseUrl: string, incidentId: string): Promise<{ ended: Promise<number | 'cut'> }> {
  let sent!: () => void;
  const written = new Promise<void>((resolve) => (sent = resolve));
  const ended = new Promise<number | 'cut'>((resolve) => {
    const req = request(`${baseUrl}/api/incidents/${incidentId}?waitFor=closed&timeoutMs=120000`, {
      headers: { authorization: 'Bearer token-erin' },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve('cut'));
    });
    req.on('error', () => resolve('cut'));
    req.on('finish', () => sent());
    req.end();
  });
  await written;
  return { ended };
}
