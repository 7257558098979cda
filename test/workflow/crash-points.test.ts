import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse, stringify } from 'yaml';
import { FakeSlackWebApi } from '../fakes/slack-web-api';
import { FakeTeamEndpoint } from '../fakes/team-endpoint';
import { TEST_CATALOG } from '../support/app';
import { createTestDatabase, testEnvironment, withAdmin } from '../support/environment';
import { HoldingProxy } from '../support/holding-proxy';
import type { Hold } from '../support/holds';
import { api } from '../support/http';
import {
  closureBundleRecordCount,
  driveToClosed,
  verifiedEvidenceChain,
  waitForPhase,
  waitUntil,
} from '../support/incident-driver';
import { productEnv, startProductProcess, type ProductProcess } from '../support/product-process';
import { processAlive } from '../support/processes';
import { createLoginRole } from '../support/roles';

/**
 * Kill points: one worker process serves an incident per point; each incident is parked at its
 * point by a fake or proxy that holds the call (observable: the hold counts its arrivals). With
 * every incident parked, the worker is SIGKILLed and proven gone; a replacement — the only worker
 * on the task queue — must finish all of them: one effective revocation at the provider, the
 * evidence chain contiguous and verifying, no Slack message posted twice.
 */

const SIGNING_KEY = randomBytes(32).toString('hex');

/**
 * Sized to the work on a loaded 2-core CI box (jest maxWorkers 2 beside other heavy suites): two
 * worker boots (≤60 s each), 15 incidents opened and parked (≤90 s), then recovery, which waits
 * for Temporal to time out the lost attempts (30 s start-to-close/heartbeat) plus retry backoff.
 * Measured 56 s beside temporal-server-kill.test.ts; the inner waits fail first, naming what is pending.
 */
const TEST_TIMEOUT_MS = 420_000;
const SETUP_TIMEOUT_MS = 120_000;
const DEPENDENT = 'crash-billing-worker';

interface Services {
  team: FakeTeamEndpoint;
  slack: FakeSlackWebApi;
  pg: HoldingProxy;
  productDb: HoldingProxy;
  productDbUrl: string;
}

interface Parked {
  reached(): Promise<boolean>;
  /** Lets the call go; safe to call again (afterAll releases whatever a failed test left parked). */
  release(): Promise<void>;
  /** Checked while parked, before the kill (e.g. an `after` hold really took effect). */
  whileParked?: () => Promise<void>;
}

interface Point {
  name: string;
  secret: string;
  provider: 'webhook' | 'postgres';
  choice: 'revoke' | 'rotate';
  dependent?: boolean;
  /** Parked at Slack: its held post has an open claim in the notifier's tables. */
  slack?: boolean;
  park(services: Services, incidentId: string): Promise<Parked> | Parked;
}

const held = (hold: Hold): Parked => ({
  reached: async () => hold.reached > 0,
  release: async () => hold.release(),
});

const webhookCall =
  (operation: string, when: 'before' | 'after', purpose?: string) => (services: Services, incidentId: string) =>
    held(
      services.team.hold(`${operation} ${when}`, when, (payload) => {
        return (
          payload.incidentId === incidentId &&
          payload.operation === operation &&
          (!purpose || payload.purpose === purpose)
        );
      }),
    );

const POINTS: Point[] = [
  {
    name: 'revoke: before the provider call',
    secret: 'crash-revoke-before',
    provider: 'webhook',
    choice: 'revoke',
    park: webhookCall('revoke', 'before'),
  },
  {
    name: 'revoke: after the provider call',
    secret: 'crash-revoke-after',
    provider: 'webhook',
    choice: 'revoke',
    park: webhookCall('revoke', 'after'),
  },
  {
    name: 'revoke: before ending derived sessions',
    secret: 'crash-sessions-before',
    provider: 'webhook',
    choice: 'revoke',
    park: webhookCall('end-sessions', 'before'),
  },
  {
    name: 'rotation: before issuing the replacement',
    secret: 'crash-issue-before',
    provider: 'webhook',
    choice: 'rotate',
    park: webhookCall('issue-replacement', 'before'),
  },
  {
    name: 'rotation: after issuing the replacement',
    secret: 'crash-issue-after',
    provider: 'webhook',
    choice: 'rotate',
    park: webhookCall('issue-replacement', 'after'),
  },
  {
    name: 'rotation: before retiring the old credential',
    secret: 'crash-retire-before',
    provider: 'webhook',
    choice: 'rotate',
    park: webhookCall('revoke', 'before', 'retire-after-rotation'),
  },
  {
    name: 'rotation: after retiring the old credential',
    secret: 'crash-retire-after',
    provider: 'webhook',
    choice: 'rotate',
    park: webhookCall('revoke', 'after', 'retire-after-rotation'),
  },
  {
    name: 'while a dependent is disabled (stopped, answer not yet back)',
    secret: 'crash-dependent',
    provider: 'webhook',
    choice: 'revoke',
    dependent: true,
    park: ({ team }, incidentId) =>
      held(team.hold('disable after', 'after', (p) => p.incidentId === incidentId && p.action === 'disable')),
  },
  {
    name: 'during proof of death',
    secret: 'crash-proof',
    provider: 'webhook',
    choice: 'revoke',
    park: webhookCall('prove-dead', 'before'),
  },
  {
    name: 'postgres revoke: before ALTER ROLE … NOLOGIN reaches the server',
    secret: 'crash-pg-revoke-before',
    provider: 'postgres',
    choice: 'revoke',
    park: ({ pg }) => held(pg.hold('nologin before', 'before', /ALTER ROLE "crash_pg_revoke_before" NOLOGIN/)),
  },
  {
    name: 'postgres revoke: after ALTER ROLE … NOLOGIN ran, answer lost',
    secret: 'crash-pg-revoke-after',
    provider: 'postgres',
    choice: 'revoke',
    park: ({ pg }) => ({
      ...held(pg.hold('nologin after', 'after', /ALTER ROLE "crash_pg_revoke_after" NOLOGIN/)),
      // The provider really acted before the crash: the role cannot log in any more.
      whileParked: async () => expect(await canLogin('crash_pg_revoke_after')).toBe(false),
    }),
  },
  {
    name: 'postgres rotation: after ALTER ROLE … LOGIN PASSWORD ran, answer lost',
    secret: 'crash-pg-rotate-after',
    provider: 'postgres',
    choice: 'rotate',
    park: ({ pg }) => held(pg.hold('password after', 'after', /ALTER ROLE "crash_pg_rotate_after" LOGIN PASSWORD/)),
  },
  {
    name: 'while evidence is appended (waiting for the chain lock)',
    secret: 'crash-evidence-lock',
    provider: 'webhook',
    choice: 'revoke',
    park: async ({ productDbUrl }, incidentId) => {
      // The store serialises an incident's appends with pg_advisory_xact_lock(hashtext(incidentId)): take it first.
      const locker = new Client({ connectionString: productDbUrl });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT pg_advisory_xact_lock(hashtext($1))', [incidentId]);
      let released: Promise<void> | undefined;
      return {
        reached: async () => {
          const waiting = await locker.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
          );
          return Number(waiting.rows[0]?.n) > 0;
        },
        release: () => (released ??= locker.query('ROLLBACK').then(() => locker.end())),
      };
    },
  },
  {
    name: 'after an evidence record committed, before the worker heard',
    secret: 'crash-evidence-committed',
    provider: 'webhook',
    choice: 'revoke',
    park: ({ productDb }, incidentId) =>
      held(
        productDb.hold(
          'evidence commit after',
          'after',
          new RegExp(`INSERT INTO evidence_records[\\s\\S]*${incidentId}`),
          /COMMIT/,
        ),
      ),
  },
  {
    name: 'while Slack is posting, before Slack accepted',
    secret: 'crash-slack',
    provider: 'webhook',
    choice: 'revoke',
    slack: true,
    park: ({ slack }, incidentId) =>
      held(
        slack.hold('postMessage before', 'chat.postMessage', 'before', (args) =>
          JSON.stringify(args).includes(incidentId),
        ),
      ),
  },
  {
    // The replacement finds the accepted post by the delivery key in its metadata instead of posting again.
    name: 'while Slack is posting, after Slack accepted (answer lost)',
    secret: 'crash-slack-accepted',
    provider: 'webhook',
    choice: 'revoke',
    slack: true,
    park: ({ slack }, incidentId) =>
      held(
        slack.hold('postMessage after', 'chat.postMessage', 'after', (args) =>
          JSON.stringify(args).includes(incidentId),
        ),
      ),
  },
];

describe('a worker SIGKILLed at each point of an incident', () => {
  const workers: ProductProcess[] = [];
  const services = {} as Services;
  const incidents = new Map<string, string>();
  const passwords = new Map<string, string>();
  const parked = new Map<Point, Parked>();
  let env: NodeJS.ProcessEnv;
  let killedAt = 0;
  let dataDir: string | undefined;

  beforeAll(async () => {
    const environment = testEnvironment();
    services.team = new FakeTeamEndpoint(SIGNING_KEY);
    const teamUrl = await services.team.start();
    services.slack = await new FakeSlackWebApi().start();
    services.pg = new HoldingProxy(Number(new URL(environment.databaseUrl).port));
    const pgAdmin = new URL(environment.databaseUrl);
    pgAdmin.port = String(await services.pg.start());
    services.productDbUrl = await createTestDatabase('crashpoints');
    const productDb = new URL(services.productDbUrl);
    services.productDb = new HoldingProxy(Number(productDb.port));
    productDb.port = String(await services.productDb.start());

    await Promise.all(
      POINTS.filter((p) => p.provider === 'postgres').map(async (point) =>
        passwords.set(point.secret, await createLoginRole(roleOf(point.secret))),
      ),
    );
    dataDir = mkdtempSync(join(tmpdir(), 'tourniquet-crash-points-'));
    const catalogPath = join(dataDir, 'catalog.yaml');
    writeFileSync(catalogPath, catalogFor(teamUrl));
    env = productEnv({
      databaseUrl: productDb.toString(),
      catalogPath,
      dataDir,
      extra: {
        PROVIDER_WEBHOOK_SIGNING_KEY: SIGNING_KEY,
        CRASH_PG_ADMIN_URL: pgAdmin.toString(),
        SLACK_BOT_TOKEN: 'xoxb-crash-test',
        SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
        SLACK_API_URL: services.slack.apiUrl,
      },
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    // Every worker process this file started is SIGKILLed and proven gone (kill() throws otherwise).
    await Promise.all(workers.map((worker) => worker.kill()));
    for (const worker of workers) expect(processAlive(worker.pid)).toBe(false);
    await Promise.all([...parked.values()].map((park) => park.release().catch(() => undefined)));
    await Promise.all([services.team?.stop(), services.slack?.stop(), services.pg?.stop(), services.productDb?.stop()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, SETUP_TIMEOUT_MS);

  it(
    `recovers from ${POINTS.length} distinct points on a replacement worker, revoking once and recording once`,
    async () => {
      const first = await startProductProcess(env);
      workers.push(first);

      // Every incident open and waiting for a decision.
      await Promise.all(
        POINTS.map(async (point) => {
          const opened = await api(first.baseUrl, 'POST', '/api/incidents', {
            as: 'carol',
            body: {
              secretId: point.secret,
              ...(passwords.has(point.secret) ? { leakedValue: passwords.get(point.secret) } : {}),
            },
          });
          expect(opened.status).toBeLessThan(300);
          incidents.set(point.secret, opened.body.incidentId as string);
        }),
      );
      await Promise.all(POINTS.map((point) => waitForPhase(first.baseUrl, idOf(point), ['awaiting-decision'], 60_000)));

      // Park each incident at its point, then let the decisions go.
      await Promise.all(POINTS.map(async (point) => parked.set(point, await point.park(services, idOf(point)))));
      await Promise.all(
        POINTS.map(async (point) => {
          const decided = await api(first.baseUrl, 'POST', `/api/incidents/${idOf(point)}/decision`, {
            as: 'alice',
            body: { choice: point.choice, reason: `crash test: ${point.name}` },
          });
          expect(decided.status).toBe(200);
        }),
      );
      await waitUntil('every incident parked at its point', 90_000, async () => {
        const reached = await Promise.all(
          [...parked].map(async ([point, park]) => (await park.reached()) || point.name),
        );
        const waiting = reached.filter((answer) => answer !== true);
        return waiting.length === 0 || waiting;
      });
      await Promise.all([...parked.values()].map(async (park) => park.whileParked?.()));

      // Every Slack post in flight at the kill is either parked deliberately (the two Slack points)
      // or held before it takes effect, so what Slack shows does not depend on the machine's timing:
      // hold every new post and wait until each open claim is a post parked at the fake.
      const slackGate = services.slack.hold('quiet before the kill', 'chat.postMessage', 'before', () => true);
      const slackPoints = POINTS.filter((point) => point.slack);
      await waitUntil('no Slack post between accepted and recorded', 60_000, async () => {
        const open = await openSlackClaims();
        const parkedAtSlack = await Promise.all(slackPoints.map(async (point) => parked.get(point)?.reached()));
        const heldAtSlack = slackGate.reached + parkedAtSlack.filter(Boolean).length;
        return open.length <= heldAtSlack || open;
      });

      // The worker dies with all of them in flight, and is proven gone before anything replaces it.
      await first.kill();
      killedAt = Date.now();
      expect(processAlive(first.pid)).toBe(false);
      slackGate.release();
      await Promise.all([...parked.values()].map((park) => park.release()));

      const second = await startProductProcess(env);
      workers.push(second);
      await Promise.all(POINTS.map((point) => driveToClosed(second.baseUrl, idOf(point), services.productDbUrl)));

      const report: string[] = [];
      for (const point of POINTS) {
        const id = idOf(point);
        let revocations = '';
        let seqs = 0;
        try {
          revocations = await providerRevocations(point);
          seqs = await checkEvidence(id, point);
          checkSlackPostedOnce(id);
        } catch (error) {
          const kinds = await evidenceKinds(id);
          throw new Error(
            `kill point "${point.name}" (${id}): ${(error as Error).message}\nevidence: ${kinds.join(', ')}`,
          );
        }
        report.push(`${point.name}: ${revocations}; evidence seqs 0..${seqs - 1} contiguous, chain verifies`);
      }
      report.push(`incidental Slack posts held before they took effect at the kill: ${slackGate.reached}`);
      process.stdout.write(`kill points:\n  ${report.join('\n  ')}\n`);
    },
    TEST_TIMEOUT_MS,
  );

  /** Slack deliveries claimed (card or direct message) whose ts is not recorded yet. */
  async function openSlackClaims(): Promise<string[]> {
    return withAdmin(services.productDbUrl, async (admin) => {
      const result = await admin.query<{ claim: string }>(
        `SELECT 'card ' || incident_id AS claim FROM slack_incident_cards WHERE card_ts IS NULL AND claimed_at > 'epoch'
         UNION ALL
         SELECT 'dm ' || incident_id || ' ' || notification_key || ' ' || person_id FROM slack_direct_messages WHERE ts IS NULL`,
      );
      return result.rows.map((row) => row.claim);
    });
  }

  function idOf(point: Point): string {
    return incidents.get(point.secret)!;
  }

  async function providerRevocations(point: Point): Promise<string> {
    if (point.provider === 'webhook') {
      const state = services.team.credential(point.secret);
      expect(state.revoked).toBe(true);
      expect(state.effectiveRevocations).toBe(1);
      if (point.choice === 'rotate') expect(state.replacementsIssued).toBe(1);
      if (point.dependent) expect(services.team.workloads.get(DEPENDENT)).toMatchObject({ stopped: true, disables: 1 });
      return `team endpoint: ${state.effectiveRevocations} revocation took effect${point.choice === 'rotate' ? `, ${state.replacementsIssued} replacement issued` : ''}`;
    }
    const role = roleOf(point.secret);
    if (point.choice === 'revoke') {
      // Once NOLOGIN, the role stays NOLOGIN: a repeated statement restates the end state.
      const statements = services.pg.count(new RegExp(`ALTER ROLE "${role}" NOLOGIN`));
      expect(await canLogin(role)).toBe(false);
      expect(statements).toBe(point.secret.endsWith('before') ? 1 : 2);
      return `PostgreSQL: rolcanlogin=false; ${statements} ALTER ROLE … NOLOGIN reached the server (1 took effect)`;
    }
    const statements = services.pg.count(new RegExp(`ALTER ROLE "${role}" LOGIN PASSWORD`));
    expect(await canLogin(role)).toBe(true);
    expect(await passwordAccepted(role, passwords.get(point.secret)!)).toBe(false);
    return `PostgreSQL: leaked password refused, rolcanlogin=true (replaced in place); ${statements} ALTER ROLE … LOGIN PASSWORD reached the server`;
  }

  async function checkEvidence(incidentId: string, point: Point): Promise<number> {
    const kinds = await verifiedEvidenceChain(services.productDbUrl, incidentId);
    expect(kinds.filter((kind) => kind === 'credential.revoked')).toHaveLength(1);
    if (point.choice === 'rotate') expect(kinds.filter((kind) => kind === 'credential.rotated')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'incident.closed')).toHaveLength(1);
    // The sealed closure bundle covers the whole chain: nothing was appended after it, nothing missing.
    expect(await closureBundleRecordCount(services.productDbUrl, incidentId)).toBe(kinds.length);
    return kinds.length;
  }

  async function evidenceKinds(incidentId: string): Promise<string[]> {
    return withAdmin(services.productDbUrl, async (admin) =>
      (
        await admin.query<{ seq: number; kind: string }>(
          'SELECT seq, kind FROM evidence_records WHERE incident_id = $1 ORDER BY seq',
          [incidentId],
        )
      ).rows.map((row) => `${row.seq}:${row.kind}`),
    );
  }

  function checkSlackPostedOnce(incidentId: string): void {
    const posts = services.slack
      .okCallsOf('chat.postMessage')
      .filter((call) => call.raw.includes(incidentId))
      .map((call) => ({ post: `${String(call.args['channel'])} ${String(call.args['text'])}`, at: call.at }));
    expect(posts.length).toBeGreaterThan(0);
    // A duplicate names when each copy reached Slack, relative to the kill (negative: before it).
    const duplicates = posts
      .filter(({ post }) => posts.filter((other) => other.post === post).length > 1)
      .map(({ post, at }) => `${post} (${at - killedAt} ms after the kill)`);
    expect(duplicates).toEqual([]);
  }
});

function roleOf(secret: string): string {
  return secret.replace(/-/g, '_');
}

function catalogFor(teamUrl: string): string {
  const base = parse(readFileSync(TEST_CATALOG, 'utf8')) as Record<string, unknown>;
  const secrets = POINTS.map((point) => ({
    id: point.secret,
    description: `crash test: ${point.name}`,
    provider: point.provider,
    locator:
      point.provider === 'postgres'
        ? { adminUrlSetting: 'CRASH_PG_ADMIN_URL', role: roleOf(point.secret) }
        : { url: `${teamUrl}/credentials` },
    ownerTeam: 'payments',
    issuingTeam: 'platform',
    tier: 'medium',
    ...(point.dependent
      ? {
          dependents: [
            {
              id: DEPENDENT,
              ownerTeam: 'payments',
              controller: 'webhook',
              target: { url: `${teamUrl}/dependents` },
              disable: 'before-revoke',
            },
          ],
        }
      : {}),
  }));
  return stringify({ ...base, secrets });
}

async function canLogin(role: string): Promise<boolean> {
  return withAdmin(testEnvironment().databaseUrl, async (admin) => {
    const result = await admin.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [
      role,
    ]);
    return result.rows[0]?.rolcanlogin === true;
  });
}

async function passwordAccepted(role: string, password: string): Promise<boolean> {
  const url = new URL(testEnvironment().databaseUrl);
  const client = new Client({ host: url.hostname, port: Number(url.port), database: 'postgres', user: role, password });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
