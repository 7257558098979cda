import { startTestApp, type TestApp } from '../../support/app';
import { api, eventually } from '../../support/http';

/**
 * GET /api/incidents reads Temporal visibility only. A run whose first workflow task has not run yet
 * (a storm's backlog) lists from the memo it was started with, as planning; it is never queried
 * (a query of a run no worker picks up would wait for the query timeout).
 */
describe('the incident list while the worker has not reached an incident yet', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await app.stopWorker();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('lists the new incident as planning from its start memo, without asking the workflow', async () => {
    const opened = await api(app.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'payments-db', leakedValue: `pw-${Math.random()}` },
    });
    expect(opened.status).toBe(202);
    const { incidentId, workflowId } = opened.body as { incidentId: string; workflowId: string };
    try {
      // Nothing ran: the run's history ends with its first workflow task still scheduled, unpicked.
      const history = await app.client.workflow.getHandle(workflowId).fetchHistory();
      expect(history.events!.some((event) => event.workflowTaskStartedEventAttributes)).toBe(false);

      const listed = await eventually(
        () => api(app.baseUrl, 'GET', '/api/incidents', { as: 'alice' }),
        (r) =>
          r.status !== 200 || r.body.incidents.some((entry: { incidentId: string }) => entry.incidentId === incidentId),
        30_000,
        'the new incident in the list (visibility is eventually consistent)',
      );
      expect(listed.status).toBe(200);
      expect(listed.body.incidents.find((entry: { incidentId: string }) => entry.incidentId === incidentId)).toEqual({
        incidentId,
        secretId: 'payments-db',
        phase: 'planning',
        waitingOn: null,
        openedAt: expect.any(String),
        ownerTeam: null,
        tier: null,
        containedAt: null,
      });
    } finally {
      await app.client.workflow.getHandle(workflowId).terminate('test over: no worker polls its task queue');
    }
  });

  it('lists only the incidents of its own task queue: deployments may share a namespace', async () => {
    const other = await startTestApp();
    try {
      await other.stopWorker();
      const opened = await api(other.baseUrl, 'POST', '/api/incidents', {
        as: 'carol',
        body: { secretId: 'payments-db', leakedValue: `pw-${Math.random()}` },
      });
      expect(opened.status).toBe(202);
      const { incidentId, workflowId } = opened.body as { incidentId: string; workflowId: string };
      try {
        const own = await eventually(
          () => api(other.baseUrl, 'GET', '/api/incidents', { as: 'alice' }),
          (r) =>
            r.status !== 200 ||
            r.body.incidents.some((entry: { incidentId: string }) => entry.incidentId === incidentId),
          30_000,
          'the incident listed by its own deployment',
        );
        expect(own.status).toBe(200);
        const mine = await api(app.baseUrl, 'GET', '/api/incidents', { as: 'alice' });
        expect(mine.status).toBe(200);
        expect(mine.body.incidents.map((entry: { incidentId: string }) => entry.incidentId)).not.toContain(incidentId);
      } finally {
        await other.client.workflow.getHandle(workflowId).terminate('test over: no worker polls its task queue');
      }
    } finally {
      await other.stop();
    }
  });
  it('pages through the open incidents with limit and nextPageToken, each once, and refuses a token it did not give', async () => {
    const workflowIds: string[] = [];
    try {
      const ids: string[] = [];
      for (const secretId of ['ops-db', 'ledger-db', 'flaky-db']) {
        const opened = await api(app.baseUrl, 'POST', '/api/incidents', {
          as: 'carol',
          body: { secretId, leakedValue: `pw-${Math.random()}` },
        });
        expect(opened.status).toBe(202);
        ids.push(opened.body.incidentId as string);
        workflowIds.push(opened.body.workflowId as string);
      }
      const listed = (r: { body: { incidents: Array<{ incidentId: string }> } }) =>
        r.body.incidents.map((entry) => entry.incidentId).filter((id) => ids.includes(id));
      await eventually(
        () => api(app.baseUrl, 'GET', '/api/incidents?limit=100', { as: 'alice' }),
        (r) => r.status !== 200 || listed(r).length === 3,
        30_000,
        'the three incidents in visibility',
      );
      const first = await api(app.baseUrl, 'GET', '/api/incidents?limit=2', { as: 'alice' });
      expect(first.status).toBe(200);
      expect(first.body.incidents).toHaveLength(2);
      expect(first.body.nextPageToken).toMatch(/^[A-Za-z0-9_-]+\.[0-9a-f]{64}$/);
      const second = await api(app.baseUrl, 'GET', `/api/incidents?limit=2&pageToken=${first.body.nextPageToken}`, {
        as: 'alice',
      });
      expect(second.status).toBe(200);
      expect(second.body.nextPageToken).toBeNull();
      expect([...listed(first), ...listed(second)].sort()).toEqual([...ids].sort());

      // A token with its signature changed (or one made up) is refused as bad input; so is a malformed one.
      const [encoded] = (first.body.nextPageToken as string).split('.');
      const forged = await api(app.baseUrl, 'GET', `/api/incidents?pageToken=${encoded}.${'0'.repeat(64)}`, {
        as: 'alice',
      });
      expect(forged.status).toBe(400);
      expect(forged.body.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('pageToken') });
      const malformed = await api(app.baseUrl, 'GET', '/api/incidents?pageToken=bm90LWEtcGFnZS10b2tlbg', {
        as: 'alice',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.fields).toHaveProperty('pageToken');
      const tooMany = await api(app.baseUrl, 'GET', '/api/incidents?limit=101', { as: 'alice' });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.fields).toHaveProperty('limit');
    } finally {
      for (const workflowId of workflowIds)
        await app.client.workflow.getHandle(workflowId).terminate('test over: no worker polls its task queue');
    }
  });
});
