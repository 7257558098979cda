import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../workers/config';
import { startDevTemporal } from '../../workers/dev-temporal';
import { FakeTeamEndpoint } from '../fakes/team-endpoint';
import { TEST_CATALOG } from '../support/app';
import { createTestDatabase } from '../support/environment';
import { api } from '../support/http';
import * as driver from '../support/incident-driver';
import { productEnv, startProductProcess, type ProductProcess } from '../support/product-process';
import { freePort, portOpen, processAlive, waitForPortClosed, waitUntilGone } from '../support/processes';

/**
 * The `npm start` setup — the Temporal dev server on a SQLite file with a write-ahead log
 * (workers/dev-temporal.ts) — is SIGKILLed while an incident's revocation is in flight, proven dead
 * (pid gone, port closed), and started again on the same file and port: the incident resumes from
 * what the log held and finishes, revoking once.
 */
/**
 * Sized to the work on a loaded 2-core CI box: two dev server boots and a worker boot (≤60 s each),
 * then recovery, which waits for Temporal to time out the attempt whose answer died with the
 * server (20 s start-to-close) plus retry backoff. Measured 24 s beside crash-points.test.ts.
 */
const TEST_TIMEOUT_MS = 300_000;

describe('the Temporal dev server SIGKILLed mid-incident', () => {
  const key = randomBytes(32).toString('hex');
  const team = new FakeTeamEndpoint(key);
  const servers: Array<{ pid: number }> = [];
  const ports: number[] = [];
  let worker: ProductProcess | undefined;
  let dataDir = '';

  afterAll(async () => {
    // Nothing this file started outlives it: worker and every dev server SIGKILLed, pids proven
    // gone, and the server's ports (gRPC, Web UI) closed.
    await worker?.kill();
    for (const { pid } of servers) {
      if (processAlive(pid)) process.kill(pid, 'SIGKILL');
      await waitUntilGone(pid, 10_000, 'Temporal dev server');
    }
    for (const port of ports) await waitForPortClosed(port, 10_000, 'a stopped Temporal dev server');
    await team.stop();
    if (worker) expect(processAlive(worker.pid)).toBe(false);
    for (const { pid } of servers) expect(processAlive(pid)).toBe(false);
    // The SQLite file and catalog go only once nothing holds them open.
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'resumes the incident from its SQLite file once restarted on the same port',
    async () => {
      const teamUrl = await team.start();
      dataDir = mkdtempSync(join(tmpdir(), 'tourniquet-dev-server-kill-'));
      const catalogPath = join(dataDir, 'catalog.yaml');
      const base = parse(readFileSync(TEST_CATALOG, 'utf8')) as Record<string, unknown>;
      const secret = {
        id: 'team-api-key',
        provider: 'webhook',
        locator: { url: `${teamUrl}/credentials` },
        ownerTeam: 'payments',
        issuingTeam: 'platform',
        tier: 'medium',
      };
      writeFileSync(catalogPath, stringify({ ...base, secrets: [secret] }));
      const config = parseConfig({
        TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
        TEMPORAL_DEV_PORT: String(await freePort()),
        TEMPORAL_UI_PORT: String(await freePort()),
        DATA_DIR: dataDir,
        CATALOG_PATH: catalogPath,
      });
      ports.push(config.TEMPORAL_DEV_PORT, config.TEMPORAL_UI_PORT);
      const logger = pino({ level: 'silent' });
      const start = async () => {
        const server = await startDevTemporal(config, logger);
        servers.push({ pid: server.child.pid! });
        return server;
      };
      const first = await start();
      expect(existsSync(join(dataDir, 'temporal.db'))).toBe(true);

      const productDbUrl = await createTestDatabase('devkill');
      worker = await startProductProcess(
        productEnv({
          temporalAddress: first.address,
          databaseUrl: productDbUrl,
          catalogPath,
          dataDir,
          extra: { PROVIDER_WEBHOOK_SIGNING_KEY: key },
        }),
      );
      const baseUrl = worker.baseUrl;
      const opened = await api(baseUrl, 'POST', '/api/incidents', { as: 'carol', body: { secretId: secret.id } });
      const id = opened.body.incidentId as string;
      await driver.waitForPhase(baseUrl, id, ['awaiting-decision'], 60_000);
      // The file keeps a write-ahead log (DEV_SERVER_SQLITE_PRAGMAS): the header's read and write
      // versions are 2 (1 is the rollback journal), and the log beside it holds the latest commits.
      expect([...readFileSync(join(dataDir, 'temporal.db')).subarray(18, 20)]).toEqual([2, 2]);
      expect(existsSync(join(dataDir, 'temporal.db-wal'))).toBe(true);

      // The revocation takes effect at the team's endpoint; its answer is held while the server dies.
      const hold = team.hold('revoke after', 'after', (payload) => payload.operation === 'revoke');
      expect(
        (await api(baseUrl, 'POST', `/api/incidents/${id}/decision`, { as: 'alice', body: { choice: 'revoke' } }))
          .status,
      ).toBe(200);
      await driver.waitUntil('the revocation in flight', 60_000, async () => hold.reached > 0 || hold.reached);

      const port = config.TEMPORAL_DEV_PORT;
      first.child.kill('SIGKILL');
      await waitUntilGone(first.child.pid!, 10_000, 'Temporal dev server');
      await waitForPortClosed(port, 10_000, 'the killed Temporal dev server');
      expect(await portOpen(port)).toBe(false);
      hold.release();

      const second = await start();
      expect(second.address).toBe(first.address);
      await driver.driveToClosed(baseUrl, id, productDbUrl);

      expect(team.credential(secret.id)).toMatchObject({ revoked: true, effectiveRevocations: 1 });
      const kinds = await driver.verifiedEvidenceChain(productDbUrl, id);
      expect(kinds.filter((kind) => kind === 'credential.revoked')).toHaveLength(1);
      expect(kinds.filter((kind) => kind === 'incident.closed')).toHaveLength(1);
      expect(await driver.closureBundleRecordCount(productDbUrl, id)).toBe(kinds.length);
    },
    TEST_TIMEOUT_MS,
  );
});
