import type { Router } from 'express';
import { verifyClosureBundle } from '../../../integrations/evidence/verify-bundle';
import { AUDITOR_TOKEN, startAuditServer, type AuditServer } from '../../support/audit-server';
import { closedIncidentDrafts, recordClosedIncident } from '../../support/evidence-fixtures';

let server: AuditServer;
const bearer = { authorization: `Bearer ${AUDITOR_TOKEN}` };
const idOf = (n: number) => `leak-${n.toString(16).padStart(24, '0')}-aaaaaaa${n}`;
const get = (path: string, headers: Record<string, string> = bearer) =>
  fetch(`${server.baseUrl}${path}`, { headers, redirect: 'manual' });

beforeAll(async () => {
  server = await startAuditServer();
  const specs: Array<[number, string, string, 'contained' | 'rotated' | 'false-positive', string]> = [
    [1, 'payments', 'aws-iam', 'contained', '2025-01-15T08:00:00Z'],
    [2, 'identity', 'github', 'false-positive', '2025-02-15T08:00:00Z'],
    [3, 'payments', 'postgres', 'rotated', '2025-03-15T08:00:00Z'],
  ];
  for (const [n, ownerTeam, provider, outcome, detectedAt] of specs) {
    await recordClosedIncident(server.store, { incidentId: idOf(n), ownerTeam, provider, outcome, detectedAt });
    await server.archive.sealClosureBundle(idOf(n));
  }
  // A closure note written by a person may hold markup: it must come back escaped.
  const drafts = closedIncidentDrafts({ incidentId: idOf(4), detectedAt: '2025-04-01T08:00:00Z' });
  drafts.at(-1)!.details.closureNote = '<script>alert("x")</script> & done';
  for (const draft of drafts) await server.store.append(draft);
  await server.archive.sealClosureBundle(idOf(4));
}, 120_000);

afterAll(async () => {
  await server.stop();
});

/** Every non-GET route of the operator API, read from its router so a new route is covered too. */
function writeRoutes(router: Router): Array<[string, string]> {
  const routes: Array<[string, string]> = [];
  for (const layer of router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>) {
    for (const method of Object.keys(layer.route?.methods ?? {})) {
      if (method !== 'get' && method !== 'head')
        routes.push([method.toUpperCase(), `/api${layer.route!.path.replace(/:(\w+)/g, 'x-$1')}`]);
    }
  }
  return routes;
}

describe('auditor tokens are read-only', () => {
  it('are refused with 403 on every write route of the product, before anything runs', async () => {
    const routes = [
      ...writeRoutes(server.apiRouter),
      ...['POST', 'PUT', 'PATCH', 'DELETE'].flatMap((method) =>
        [
          '/audit/api/incidents',
          `/audit/api/incidents/${idOf(1)}`,
          `/audit/api/incidents/${idOf(1)}/bundle`,
          '/audit/api/public-key',
          '/audit/',
          `/audit/incidents/${idOf(1)}`,
        ].map((path) => [method, path] as [string, string]),
      ),
    ];
    expect(routes.length).toBeGreaterThanOrEqual(5 + 24);
    for (const [method, path] of routes) {
      for (const headers of [bearer, { cookie: `tourniquet_audit=${AUDITOR_TOKEN}` }]) {
        const response = await fetch(`${server.baseUrl}${path}`, {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          body: '{"choice":"revoke"}',
        });
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect([method, path, response.status]).toEqual([method, path, 403]);
        expect(body.error.message).toMatch(/auditor tokens are read-only: auditor "ada" may only use GET/);
      }
    }
    expect(server.serviceCalls).toEqual([]);
  });

  it('needs an auditor token for every read', async () => {
    const anonymous = await get('/audit/api/incidents', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await get('/audit/api/incidents', { authorization: 'Bearer someone-else' })).status).toBe(401);
    const portal = await get('/audit/', {});
    expect([portal.status, portal.headers.get('location')]).toEqual([303, '/audit/login']);
  });
});

describe('the auditor API', () => {
  it('lists closed incidents with filters and pagination', async () => {
    const list = async (query: string) =>
      (await (await get(`/audit/api/incidents?${query}`)).json()) as {
        items: Array<{ incidentId: string }>;
        total: number;
        nextOffset: number | null;
      };
    expect((await list('ownerTeam=payments')).items.map((item) => item.incidentId)).toEqual([
      idOf(4),
      idOf(3),
      idOf(1),
    ]);
    expect((await list('closedFrom=2025-02-01&closedTo=2025-03-15')).items.map((item) => item.incidentId)).toEqual([
      idOf(3),
      idOf(2),
    ]);
    expect((await list('provider=github&outcome=false-positive')).items.map((item) => item.incidentId)).toEqual([
      idOf(2),
    ]);
    const page = await list('limit=3&offset=0');
    expect([page.total, page.items.length, page.nextOffset]).toEqual([4, 3, 3]);
  });

  it('names the bad parameter and the fix', async () => {
    const response = await get('/audit/api/incidents?limit=500&colour=red&outcome=won');
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(response.status).toBe(400);
    expect(body.error.message).toMatch(/limit: at most 200/);
    expect(body.error.message).toMatch(/unknown parameter colour/);
    expect(body.error.message).toMatch(/outcome: use one of contained, rotated/);
  });

  it('shows one incident with its verification status, and 404 for an unknown one', async () => {
    const body = (await (await get(`/audit/api/incidents/${idOf(1)}`)).json()) as {
      incident: { ownerTeam: string };
      verification: { ok: boolean };
      bundle: Record<string, unknown>;
    };
    expect(body.incident.ownerTeam).toBe('payments');
    expect(body.verification.ok).toBe(true);
    expect(body.bundle.timeline).toBeDefined();
    expect((await get(`/audit/api/incidents/${idOf(9)}`)).status).toBe(404);
    expect((await get('/audit/api/incidents/bad%20id')).status).toBe(400);
  });

  it('serves the bundle as a download that verifies offline with the published public key', async () => {
    const response = await get(`/audit/api/incidents/${idOf(3)}/bundle`);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${idOf(3)}.closure-bundle.json"`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const publicKey = await (await get('/audit/api/public-key')).text();
    expect(verifyClosureBundle(bytes, publicKey)).toMatchObject({ ok: true, incidentId: idOf(3) });
  });

  it('renders the human-readable report with every value escaped', async () => {
    const response = await get(`/audit/api/incidents/${idOf(4)}/report`);
    const page = await response.text();
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; done');
    expect(page).not.toContain('<script>');
    expect(page).toMatch(/RS\.MI-01/);
    expect(page).toMatch(/Verified: every record/);
  });
});
