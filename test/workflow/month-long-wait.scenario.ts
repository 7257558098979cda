import { startTestApp, type TestApp } from '../support/app';
import { catalogWithStandardPolicy } from '../support/catalogs';
import { notificationKinds, runChain } from '../support/histories';
import { api } from '../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../support/incidents';
import { startTimeSkippingServer } from '../support/time-skipping';

/**
 * An incident whose verifier does not answer for 30 days, on Temporal's time-skipping test server:
 * the whole product (worker, HTTP API, PostgreSQL) runs against it while its clock moves a day at
 * a time, and the credential keeps being re-reported (20 new sightings a day), with the standard
 * policy's reminders (5, backing off from 5 minutes).
 *
 * `rollOver`: a low continue-as-new threshold (500 events), so the incident continues as new about
 * ten times. That variant stalls now and then on this server, not on a real one: the run completes
 * its workflow task with continue-as-new, the server starts the next run, but the old run's history
 * keeps that task "started" and the worker is told "workflow execution already completed"
 * (temporalio/sdk-java#3088 has the same shape). It runs with `npm run test:month`; `npm test` runs
 * the 30 days in one run (threshold 20,000 events), whose history stays under Temporal's warning.
 */
export function describeMonthLongWait({ rollOver }: { rollOver: boolean }): void {
  describe(`an incident waiting 30 days for its verifier (time-skipping test server, ${rollOver ? 'continued as new' : 'one run'})`, () => {
    let server: Awaited<ReturnType<typeof startTimeSkippingServer>> | undefined;
    let app: TestApp | undefined;
    beforeAll(async () => {
      server = await startTimeSkippingServer();
      app = await startTestApp({
        TEMPORAL_ADDRESS: server.address,
        CATALOG_PATH: catalogWithStandardPolicy({ continueAsNewAfterEvents: rollOver ? 500 : 20_000 }),
        LOG_LEVEL: 'warn',
      });
      // A fresh machine fetches the test server with mvn first; a loaded one starts the JVM slowly.
    }, 300_000);
    afterAll(async () => {
      await app?.stop();
      await server?.stop();
    });

    // 30 days of a shared 2-core machine's time: generous, the server's clock does the waiting.
    it(`stays alive, stops reminding after the configured number${rollOver ? ', continues as new' : ''} and is still verifiable`, async () => {
      const product = app!;
      const started = performance.now();
      const id = await openIncident(product, { secretId: 'vendor-api-key', description: 'key in a public gist' });
      await waitForPhase(product, id, 'awaiting-decision');
      expect((await decide(product, id, 'alice', 'revoke')).status).toBe(200);
      await waitForPhase(product, id, 'awaiting-manual-containment');
      const confirmed = await api(product.baseUrl, 'POST', `/api/incidents/${id}/manual-containment`, {
        as: 'dave',
        body: { note: 'revoked in the vendor console', reference: 'VENDOR-1' },
      });
      expect(confirmed.status).toBe(200);
      const waiting = await waitForPhase(product, id, 'awaiting-verification');
      const handle = product.client.workflow.getHandle(waiting.workflowId);
      const firstRun = (await handle.describe()).runId;
      const serverStart = await server!.currentTimeMs();

      const perDay = 20;
      for (let day = 1; day <= 30; day += 1) {
        await server!.sleep('1 day');
        for (let i = 0; i < perDay; i += 1) {
          const reported = await api(product.baseUrl, 'POST', '/api/incidents', {
            as: 'carol',
            body: { secretId: 'vendor-api-key', location: `https://gist.example/day-${day}/${i}` },
          });
          expect(reported.status).toBe(202);
          expect(reported.body.incidentId).toBe(id);
        }
      }
      expect((await server!.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(30 * 86_400_000);

      const status = (await api(product.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' })).body;
      expect(status).toMatchObject({ incidentId: id, phase: 'awaiting-verification', sightings: 30 * perDay + 1 });
      expect(status.waitingOn.for).toBe('verification (reminders stopped after 5)');

      const runs = await runChain(product.client, waiting.workflowId, firstRun);
      if (rollOver) {
        expect(runs.length).toBeGreaterThan(1);
        for (const run of runs) expect(run.events).toBeLessThan(1_000);
      } else {
        expect(runs).toHaveLength(1);
        // Temporal warns at 10,240 events (and 10 MB) per run.
        expect(runs[0]!.events).toBeLessThan(10_240);
      }
      const kinds = runs.flatMap((run) => notificationKinds(run.history));
      expect(kinds.filter((kind) => kind === 'reminder')).toHaveLength(5);

      expect((await verify(product, id, 'carol')).status).toBe(200);
      const closed = await waitForPhase(product, id, 'closed');
      expect(closed.outcome).toBe('contained');
      const evidence = await waitForEvidence(product, id, 'incident.closed');
      expect(evidence.map((record) => record.seq)).toEqual(evidence.map((_, index) => index));
      expect(evidence.filter((record) => record.kind === 'sighting.recorded')).toHaveLength(30 * perDay);
      expect(evidence.filter((record) => record.kind === 'handoff.reminders-stopped')).toHaveLength(1);
      console.log(
        `30 days waiting for a verifier: ${runs.length} runs, events per run ${runs.map((run) => run.events).join('/')}, wall time ${Math.round(performance.now() - started)} ms`,
      );
    }, 600_000);
  });
}
