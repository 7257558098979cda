import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { startTestApp, type TestApp } from '../support/app';
import { testEnvironment } from '../support/environment';
import { recordHistoryIfAsked } from '../support/secrets';
import { getStatusQuery } from '../../workflows/messages';

/**
 * A verification ends the handoff the main flow waits on with a timer. Answered at once, the update
 * completed in the workflow task that cancelled that timer, in an order replay did not always
 * reproduce: a worker replaying the incident, or the status of a closed one, failed with
 * "Update machine does not handle this event: TimerCanceled" (about one incident in five here).
 * From patch settled-handoff-answers the answer waits for the main flow, and every history replays.
 */
describe('verification answers settled by the main flow', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ CATALOG_PATH: path.join(__dirname, '../../catalog.example.yaml') });
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function call(method: string, route: string, who: string, body?: unknown): Promise<any> {
    const response = await fetch(`${app.baseUrl}/api${route}`, {
      method,
      headers: { authorization: `Bearer demo-token-${who}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (response.status !== 200 && response.status !== 202)
      throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  it('answers a verification with what it caused, and every closed incident replays', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 12; round++) {
      const opened = await call('POST', '/incidents', 'carol', {
        secretId: 'billing-saas-key',
        location: `https://gist.example/round-${round}`,
      });
      const id = opened.incidentId as string;
      await call('GET', `/incidents/${id}?waitFor=awaiting-decision`, 'alice');
      await call('POST', `/incidents/${id}/decision`, 'alice', { choice: 'revoke' });
      await call('GET', `/incidents/${id}?waitFor=awaiting-manual-containment`, 'dave');
      await call('POST', `/incidents/${id}/manual-containment`, 'dave', { note: 'deleted in the console' });
      await call('GET', `/incidents/${id}?waitFor=awaiting-verification`, 'carol');
      const verified = await call('POST', `/incidents/${id}/verification`, 'carol', { note: 'no calls since' });
      // The answer comes after the main flow acted on it: nobody is waited on for a verification any more.
      expect(verified).toMatchObject({ verification: { verifiedBy: 'carol' }, waitingOn: null });
      await call('GET', `/incidents/${id}?waitFor=closed`, 'carol');

      const { runId } = await app.client.workflow.getHandle(opened.workflowId).describe();
      const run = app.client.workflow.getHandle(opened.workflowId, runId);
      const history = await run.fetchHistory();
      // The run has ended: a query makes the worker replay the whole history.
      await run.query(getStatusQuery).catch((error: Error) => failures.push(`query ${round}: ${error.message}`));
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: testEnvironment().workflowBundlePath } },
        history,
        `round-${round}`,
      ).catch((error: Error) => failures.push(`replay ${round}: ${error.message}`));
      if (round === 0) recordHistoryIfAsked('settled-handoff-answers', history);
    }
    expect(failures).toEqual([]);
    // Twelve whole incidents one after another: minutes on a loaded 2-core CI box, not jest's default.
  }, 480_000);
});
