import { eventually } from '../../support/http';
import { createLoginRole, loginAs } from '../../support/roles';
import { buttonIn, clickOn, sendSigned, useSlackApp } from './slack-requests';

/**
 * A signed Revoke click revokes the credential at PostgreSQL, every time; it also prints the time
 * from the click entering the HTTP server to the workflow recording the revocation. Three runs by
 * default; the figure comes from `SLACK_MEASURE_RUNS=20`.
 */
const RUNS = Number(process.env.SLACK_MEASURE_RUNS ?? 3);

describe('click-to-revocation', () => {
  const context = useSlackApp();

  it(`revokes on each of ${RUNS} approval clicks and reports the latency`, async () => {
    const samples: number[] = [];
    let password: string | undefined;
    for (let run = 0; run < RUNS; run++) {
      password = await createLoginRole('slack_app');
      const now = new Date().toISOString();
      const { incidentId } = await context.app.service.open({
        secretId: 'slack-db',
        leakedValue: password,
        sighting: {
          source: 'api',
          sourceRef: `measure-${run}-${Date.now()}`,
          detectedAt: now,
          receivedAt: now,
          reportedBy: 'carol',
        },
      });
      const dm = await context.slack.waitFor('the decision DM', (s) =>
        s
          .postedTo('U0ALICE')
          .find((m) => buttonIn(m.args['blocks'], 'tq_decide', (v) => v.i === incidentId && v.c === 'revoke')),
      );
      const button = buttonIn(dm.args['blocks'], 'tq_decide', (v) => v.c === 'revoke')!;
      const clickedAt = Date.now();
      const answer = await sendSigned(
        context.app.baseUrl,
        clickOn('U0ALICE', dm, button, context.slack.responseUrl(`m${run}`)),
      );
      expect(answer.status).toBe(200);
      const revoked = await eventually(
        () => context.app.service.status(incidentId),
        (s) => !!s?.actions.some((a) => a.kind === 'credential.revoked'),
        30_000,
        'revocation',
      );
      const at = Date.parse(revoked!.actions.find((a) => a.kind === 'credential.revoked')!.at);
      samples.push(at - clickedAt);
      await eventually(
        () => context.app.service.status(incidentId),
        (s) => s?.phase === 'awaiting-verification',
        30_000,
        'verification',
      );
      await context.app.service.verify(incidentId, { by: 'carol', note: 'measured', channel: 'api' });
      // The next report must start a new run, not land as a sighting on this one while it winds down.
      await context.app.client.workflow.getHandle(revoked!.workflowId).result();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(RUNS / 2)]!;
    console.log(
      `click → credential.revoked over ${RUNS} runs: median ${median} ms, max ${sorted[RUNS - 1]} ms, min ${sorted[0]} ms; samples ${samples.join(', ')}`,
    );
    expect(samples).toHaveLength(RUNS);
    await expect(loginAs('slack_app', password!)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
  });
});
