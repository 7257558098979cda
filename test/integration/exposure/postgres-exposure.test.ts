import { Client } from 'pg';
import { parse } from 'yaml';
import { DependentSchema } from '../../../domain/catalog';
import { dependentCandidates, knownWorkloads, type ExposureReport } from '../../../domain/exposure';
import { PostgresExposureSource } from '../../../integrations/postgres-role/exposure-source';
import { FakeWebhookReceiver } from '../../fakes/webhook-receiver';
import { startTestApp, type TestApp } from '../../support/app';
import { testCatalogWith } from '../../support/catalog';
import { testEnvironment, withAdmin } from '../../support/environment';
import { api, eventually } from '../../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../../support/incidents';
import { waitForPortClosed, waitUntilGone } from '../../support/processes';
import { startPostgresCluster, stopPostgresCluster } from '../../support/postgres-cluster';
import { createLoginRole, dropRole, loginAs } from '../../support/roles';

jest.setTimeout(240_000);

const ROLE = 'ledger_exposed';
const PASSWORD = 'pw-ledger-exposed-3f9a1c';
const SIGNING_KEY = 'dependent-endpoint-signing-key-0123456789';
let receiver: FakeWebhookReceiver;
let receiverUrl: string;
let cluster: { url: string; pid: number; dataDir: string };
let app: TestApp;
const clients: Client[] = [];

/** A session as a workload of the role would open it, named by its application_name. */
async function connect(applicationName: string, password = PASSWORD): Promise<Client> {
  const url = new URL(cluster.url);
  const client = new Client({
    host: url.hostname,
    port: Number(url.port),
    database: 'postgres',
    user: ROLE,
    password,
    application_name: applicationName,
  });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

async function sessionsOfRole(): Promise<number> {
  return withAdmin(cluster.url, async (admin) => {
    const result = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1', [
      ROLE,
    ]);
    return Number(result.rows[0]!.n);
  });
}

beforeAll(async () => {
  // A server that logs connections as csvlog, as the report needs for sessions that left no trace in pg_stat_activity.
  cluster = await startPostgresCluster({
    log_connections: 'on',
    logging_collector: 'on',
    log_destination: 'csvlog',
    log_timezone: 'UTC',
  });
  await withAdmin(cluster.url, async (admin) => {
    await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query('CREATE ROLE ledger_readers NOLOGIN');
    await admin.query(`GRANT ledger_readers TO ${ROLE}`);
    await admin.query('CREATE TABLE ledger_entries (id int)');
    await admin.query(`GRANT SELECT, INSERT ON ledger_entries TO ${ROLE}`);
  });
  // The batch's owners stop and start it through their own endpoint (a signed webhook).
  receiver = new FakeWebhookReceiver(SIGNING_KEY);
  receiverUrl = await receiver.start();
  app = await startTestApp({
    CATALOG_PATH: testCatalogWith({
      secrets: [
        {
          id: 'ledger-exposed-db',
          description: 'ledger role whose sessions the exposure report reads',
          provider: 'postgres',
          locator: { adminUrlSetting: 'EXPOSURE_PG_ADMIN_URL', role: ROLE },
          ownerTeam: 'payments',
          issuingTeam: 'platform',
          tier: 'medium',
        },
      ],
    }),
    EXPOSURE_PG_ADMIN_URL: cluster.url,
    EXPOSURE_POSTGRES_WATCH_MS: '45000',
    PROVIDER_WEBHOOK_SIGNING_KEY: SIGNING_KEY,
  });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  await app?.stop();
  await receiver?.stop();
  if (cluster) {
    stopPostgresCluster(cluster.dataDir);
    await waitUntilGone(cluster.pid, 30_000, 'the PostgreSQL cluster of the test');
    await waitForPortClosed(Number(new URL(cluster.url).port), 10_000, 'its port');
  }
});

describe('exposure report of a leaked PostgreSQL role (real PostgreSQL with log_connections)', () => {
  it('classifies the sessions ended at containment and the logged logins, escalates a login attempt after containment, and stops a confirmed candidate', async () => {
    // Before the leak: the ledger API keeps a session open; a nightly batch logged in and left (only in the log).
    const ledgerApi = await connect('ledger-api');
    await (await connect('ledger-batch')).end();
    await eventually(sessionsOfRole, (n) => n === 1, 10_000, 'the batch session to close');
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the leak is strictly after those logins
    const leakedAt = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // During exposure: somebody with the leaked password opens a psql session and keeps it.
    await connect('psql');
    expect(await sessionsOfRole()).toBe(2);

    const id = await openIncident(app, {
      secretId: 'ledger-exposed-db',
      leakedValue: PASSWORD,
      description: 'ledger password in a pasted stack trace',
      detectedAt: leakedAt,
    });
    // Blast radius before the decision: what the role may do and who is connected as it now.
    const waiting = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
      (r) => r.body?.phase === 'awaiting-decision' && r.body?.exposure?.blastRadius !== undefined,
      60_000,
      'blast radius on the status',
    );
    const radius = waiting.body.exposure.blastRadius as string;
    expect(radius).toContain(`role ${ROLE}: role attributes (inline: LOGIN)`);
    expect(radius).toContain('ledger_readers (group: member');
    expect(radius).toContain('INSERT on 1 table(s) in public; SELECT on 1 table(s) in public');
    expect(radius).toMatch(/2 session\(s\) open now .*127\.0\.0\.1 (ledger-api|psql)/);
    expect((await decide(app, id, 'alice', 'revoke', 'pasted stack trace')).status).toBe(200);
    const first = (await waitForEvidence(app, id, 'exposure.reported', 120_000)).find(
      (e) => e.kind === 'exposure.reported',
    )!;
    const windowEnd = Date.parse(first.details.report.window.to);
    expect(first.details.final).toBe(false);
    // Containment really ended both sessions at the server, and the workload's client saw it.
    expect(await sessionsOfRole()).toBe(0);
    await expect(ledgerApi.query('SELECT 1')).rejects.toThrow();

    // After containment somebody tries the leaked password: PostgreSQL refuses it (and logs the refusal).
    await expect(connect('psql')).rejects.toMatchObject({ code: '28P01' });
    expect(Date.now()).toBeLessThan(windowEnd - 2_000);

    // Dependent discovery: the workloads seen before the leak are candidates; nothing is stopped until a person confirms.
    const status = (await api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' })).body;
    expect(status.exposure.unconfirmed.sort()).toEqual(['127.0.0.1 ledger-api', '127.0.0.1 ledger-batch']);
    expect(receiver.requests).toEqual([]);
    const confirm = (as: string, candidate: string) =>
      api(app.baseUrl, 'POST', `/api/incidents/${id}/candidates/confirmation`, {
        as,
        body: {
          candidate,
          dependent: {
            id: 'ledger-batch',
            description: 'nightly ledger batch',
            ownerTeam: 'payments',
            controller: 'webhook',
            target: { url: `${receiverUrl}/ledger-batch` },
          },
        },
      });
    expect((await confirm('carol', '127.0.0.1 ledger-batch')).status).toBe(403);
    const unknown = await confirm('alice', '10.9.9.9 nobody');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('127.0.0.1 ledger-batch');
    expect(receiver.requests).toEqual([]);
    const confirmed = await confirm('alice', '127.0.0.1 ledger-batch');
    expect(confirmed.status).toBe(200);
    // The owners' endpoint really received the signed disable call.
    expect(receiver.requests.map((r) => `${JSON.parse(r.body).action} ${r.path}`)).toEqual(['disable /ledger-batch']);
    expect((await confirm('grace', '127.0.0.1 ledger-batch')).status).toBe(409);

    const escalated = await waitForEvidence(app, id, 'exposure.used-after-containment', 120_000);
    const escalation = escalated.find((e) => e.kind === 'exposure.used-after-containment')!;
    expect(escalation.details.to).toEqual(expect.arrayContaining(['alice', 'grace']));
    expect(escalation.details.events).toEqual([
      expect.objectContaining({ classification: 'denied', errorCode: '28P01', sourceIp: '127.0.0.1' }),
    ]);

    await waitForPhase(app, id, 'awaiting-verification', 120_000);
    expect((await verify(app, id, 'carol')).status).toBe(200);
    await waitForPhase(app, id, 'closed', 120_000);
    // The phase reads "closed" before the last evidence batch (incident.closed) reaches the store.
    const timeline = (await waitForEvidence(app, id, 'incident.closed', 60_000)) as Array<{
      kind: string;
      details: Record<string, any>;
      answer?: Record<string, any>;
    }>;
    const final = timeline.filter((e) => e.kind === 'exposure.reported').at(-1)!;
    expect(final.details.final).toBe(true);
    const report = final.details.report as ExposureReport;
    const one = (application: string, action: RegExp) =>
      report.events.filter((e) => e.applicationName === application && action.test(e.action));
    // The two sessions containment ended, as pg_stat_activity showed them then.
    expect(one('ledger-api', /open at containment/)).toEqual([
      expect.objectContaining({ classification: 'baseline', sourceIp: '127.0.0.1', period: 'before-leak' }),
    ]);
    expect(one('psql', /open at containment/)).toEqual([
      expect.objectContaining({ classification: 'during-exposure', sourceIp: '127.0.0.1' }),
    ]);
    // The batch left no session: only the connection log knows it; sessions already listed are not counted twice.
    expect(one('ledger-batch', /^login$/)).toEqual([expect.objectContaining({ classification: 'baseline' })]);
    expect(one('ledger-api', /^login$/)).toEqual([]);
    expect(report.events.filter((e) => e.period === 'after-containment')).toEqual([
      expect.objectContaining({ classification: 'denied', errorCode: '28P01' }),
    ]);
    expect(report.counts.baseline).toBe(2);
    expect(report.counts['during-exposure']).toBe(1);
    expect(report.usedAfterContainment).toBe(true);
    // Workloads seen before the leak are candidates, by address and application name; the attacker's psql is not.
    expect(report.candidates.map((c) => c.applicationName).sort()).toEqual(['ledger-api', 'ledger-batch']);
    expect(report.apiCalls['postgres:pg_read_file']).toBeGreaterThanOrEqual(1);
    expect(report.cannotKnow).toEqual([]);
    // Confirmed, disabled, and proposed for the catalog in the closure note: YAML a catalog accepts.
    expect(timeline.find((e) => e.kind === 'dependent.confirmed')!.details.dependent.id).toBe('ledger-batch');
    expect(timeline.find((e) => e.kind === 'dependent.disabled')!.details).toMatchObject({
      dependentId: 'ledger-batch',
      discovered: true,
    });
    const note = timeline.find((e) => e.kind === 'incident.closed')!.details.closureNote as string;
    const proposal = parse(note.slice(note.indexOf('# Proposed catalog additions'))) as { dependents: unknown[] };
    expect(proposal.dependents.map((d) => DependentSchema.parse(d))).toEqual([
      expect.objectContaining({
        id: 'ledger-batch',
        controller: 'webhook',
        target: { url: `${receiverUrl}/ledger-batch` },
        seenAs: { sourceIps: ['127.0.0.1'], applicationNames: ['ledger-batch'] },
      }),
    ]);
    // Pasted into the catalog, the entry makes the next report recognise the batch instead of proposing it again.
    const pasted = proposal.dependents.map((d) => DependentSchema.parse(d));
    expect(dependentCandidates(report.events, pasted).map((c) => c.applicationName)).toEqual(['ledger-api']);
    expect(knownWorkloads(report.events, pasted)).toEqual([
      expect.objectContaining({ dependentId: 'ledger-batch', key: '127.0.0.1 ledger-batch' }),
    ]);
    expect(note).toContain('# Not confirmed by anyone');
    expect(note).toContain('127.0.0.1 ledger-api');
    // The ended sessions are evidence too, with where they came from and since when.
    const ended = timeline.find((e) => e.kind === 'sessions.ended')!;
    expect(JSON.stringify(ended)).toContain('ledger-api');

    // Canary: the leaked password is in no evidence and no log line.
    expect(JSON.stringify(timeline)).not.toContain(PASSWORD);
    expect(app.logLines()).not.toContain(PASSWORD);
  });
});

describe('PostgreSQL exposure source without a connection log (the shared test server)', () => {
  const role = 'exposure_nolog';
  afterAll(() => dropRole(role));

  it('says log_connections is off, and counts a session that outlived containment as use after containment', async () => {
    const password = await createLoginRole(role);
    const survivor = await loginAs(role, password);
    try {
      const containedAt = new Date().toISOString();
      const source = new PostgresExposureSource({
        resolveSetting: (name) => (name === 'SHARED_PG_ADMIN_URL' ? testEnvironment().databaseUrl : undefined),
        watchAfterContainmentMs: 60_000,
      });
      const report = await source.report({
        incidentId: 'inc-nolog',
        secret: {
          id: 'nolog-db',
          provider: 'postgres',
          locator: { adminUrlSetting: 'SHARED_PG_ADMIN_URL', role },
          ownerTeam: 'payments',
          issuingTeam: 'platform',
          tier: 'high',
          dependents: [],
        },
        leakedAt: new Date(Date.parse(containedAt) - 60_000).toISOString(),
        containedAt,
        readLeakedValue: () => Promise.resolve(undefined),
      });
      expect(report.cannotKnow.join('\n')).toContain('log_connections is off');
      expect(report.cannotKnow.join('\n')).toContain('sessions open at containment were not recorded');
      expect(report.events).toEqual([
        expect.objectContaining({ classification: 'after-containment', action: expect.stringContaining('since') }),
      ]);
      expect(report.usedAfterContainment).toBe(true);
      expect(report.complete).toBe(false);
      expect(report.apiCalls).toEqual({ 'postgres:pg_stat_activity': 1, 'postgres:pg_roles': 1 });
    } finally {
      await survivor.end();
    }
  });
});
