import { doctor, listStuck, listWaitingOn } from '../../../entrypoints/cli/operations';
import { runIncidentsCommand } from '../../../entrypoints/cli/incidents';
import { startTestApp, tokenOf, type TestApp } from '../../support/app';
import { openIncident, waitForPhase } from '../../support/incidents';
import { testEnvironment } from '../../support/environment';
import { freePort, portOpen, stopGroup } from '../../support/processes';
import { startTemporalDevServer } from '../../support/temporal-dev-server';
import { createLoginRole } from '../../support/roles';

/** Runs a CLI function and returns its exit code and what it printed on stdout. */
async function captured(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    return { code: await run(), out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('operator CLI: incidents list --waiting-on, stuck, doctor', () => {
  let app: TestApp;
  let temporal: { address: string; pid: number } | undefined;
  let env: Record<string, string>;
  let id: string;
  beforeAll(async () => {
    // A Temporal of its own: the listings read every incident in the namespace, and other test
    // files leave theirs waiting on the same people.
    temporal = await startTemporalDevServer();
    app = await startTestApp({ TEMPORAL_ADDRESS: temporal.address });
    env = {
      TOURNIQUET_URL: app.baseUrl,
      TOURNIQUET_TOKEN: tokenOf('erin'),
      CATALOG_PATH: app.config.CATALOG_PATH,
      TEMPORAL_ADDRESS: 'unused:7233',
      TEST_PG_ADMIN_URL: testEnvironment().databaseUrl,
      TEST_PG_FLAKY_URL: testEnvironment().databaseUrl,
    };
    id = await openIncident(app, { secretId: 'ops-db', leakedValue: await createLoginRole('ops_app') });
    await waitForPhase(app, id, 'awaiting-decision');
  });
  afterAll(async () => {
    await app?.stop();
    if (temporal) await stopGroup(temporal.pid, 'test Temporal dev server');
  });

  it('lists the incidents waiting on a person, and only those', async () => {
    const alice = await captured(() => runIncidentsCommand(['list', '--waiting-on', 'alice'], env));
    expect(alice.code).toBe(0);
    expect(JSON.parse(alice.out).incidents.map((i: { incidentId: string }) => i.incidentId)).toEqual([id]);
    const dave = await captured(() => listWaitingOn('dave', env));
    expect(JSON.parse(dave.out).incidents).toEqual([]);
  });

  it('exits 0 while no wait is past its deadline and 3 once one is, naming the incident', async () => {
    const now = await captured(() => listStuck(env));
    expect(now.code).toBe(0);
    expect(JSON.parse(now.out).stuck).toEqual([]);
    // The decision window of the test policy is minutes long: seen from a day later, it is overdue.
    const later = await captured(() => listStuck(env, new Date(Date.now() + 86_400_000)));
    expect(later.code).toBe(3);
    expect(JSON.parse(later.out).stuck.map((i: { incidentId: string }) => i.incidentId)).toEqual([id]);
  });

  it('doctor exits 0 when config, catalog and every readiness check pass, 1 when the server does not answer', async () => {
    const healthy = await captured(() => doctor(env));
    expect(healthy.code).toBe(0);
    expect(healthy.out).toMatch(/^catalog\s+ok \(\d+ secrets/m);
    expect(healthy.out).toMatch(/^server:database\s+ok$/m);
    const closedPort = await freePort();
    const gone = await captured(() => doctor({ ...env, TOURNIQUET_URL: `http://127.0.0.1:${closedPort}` }));
    expect(gone.code).toBe(1);
    expect(gone.out).toMatch(/^server\s+failed: .*readyz did not answer/m);
    const badCatalog = await captured(() => doctor({ ...env, CATALOG_PATH: '/nonexistent/catalog.yaml' }));
    expect(badCatalog.code).toBe(1);
    expect(badCatalog.out).toMatch(/^catalog\s+failed: /m);
  });

  it('doctor reaches each provider credential the catalog names, once per credential, and fails naming the setting', async () => {
    const healthy = await captured(() => doctor(env));
    expect(healthy.out).toMatch(
      /^provider:postgres:TEST_PG_ADMIN_URL\s+ok \(TEST_PG_ADMIN_URL: connected as \w+, may alter roles\)$/m,
    );
    // Seven postgres secrets, two admin settings: two checks.
    expect(healthy.out.match(/^provider:postgres:\S+/gm)).toEqual([
      'provider:postgres:TEST_PG_ADMIN_URL',
      'provider:postgres:TEST_PG_FLAKY_URL',
    ]);
    expect(healthy.out).toMatch(/^provider:manual\s+skipped: no access check$/m);

    // Nothing listens where the setting points: a real refused connection.
    const closedPort = await freePort();
    expect(await portOpen(closedPort)).toBe(false);
    const unreachable = new URL(testEnvironment().databaseUrl);
    unreachable.port = String(closedPort);
    const down = await captured(() => doctor({ ...env, TEST_PG_ADMIN_URL: unreachable.toString() }));
    expect(down.code).toBe(1);
    expect(down.out).toMatch(
      /^provider:postgres:TEST_PG_ADMIN_URL\s+failed: TEST_PG_ADMIN_URL: checking admin access: .*ECONNREFUSED/m,
    );

    // A role PostgreSQL really lets in but that may not ALTER ROLE; its password is never printed.
    const password = await createLoginRole('ops_doctor_plain');
    const plain = new URL(testEnvironment().databaseUrl);
    plain.username = 'ops_doctor_plain';
    plain.password = password;
    plain.pathname = '/postgres';
    const weak = await captured(() => doctor({ ...env, TEST_PG_ADMIN_URL: plain.toString() }));
    expect(weak.code).toBe(1);
    expect(weak.out).toMatch(
      /failed: TEST_PG_ADMIN_URL: connected as ops_doctor_plain, which is neither superuser nor CREATEROLE/,
    );
    expect(weak.out).not.toContain(password);

    const unset = await captured(() => doctor({ ...env, TEST_PG_ADMIN_URL: undefined }));
    expect(unset.code).toBe(1);
    expect(unset.out).toMatch(/failed: setting TEST_PG_ADMIN_URL \(admin URL for role \w+\) is not set/);
  });
});
