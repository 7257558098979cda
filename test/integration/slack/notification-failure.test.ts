import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, eventually } from '../../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../../support/incidents';
import { recordHistoryIfAsked } from '../../support/secrets';
import { useSlackApp } from './slack-requests';

jest.setTimeout(120_000);

/**
 * A direct message Slack refuses for good (user_not_found) is not swallowed: the incident records
 * `notification.failed` with the reason and tells the escalation contacts, in Slack, whom it could
 * not reach — and the incident goes on.
 */
describe('a notification that cannot be delivered', () => {
  const context = useSlackApp();

  it('is recorded as evidence with the reason and escalated to another person', async () => {
    const { app, slack } = context;
    slack.failNext('chat.postMessage', { error: 'user_not_found' }, 1, (args) => args.channel === 'U0ALICE');
    const id = await openIncident(app, { secretId: 'payments-db', description: 'password in a wiki page' });
    await waitForPhase(app, id, 'awaiting-decision');

    const evidence = await waitForEvidence(app, id, 'notification.failed');
    const failed = evidence.find((record) => record.kind === 'notification.failed')!;
    expect(failed.details).toMatchObject({ kind: 'incident-opened', to: ['alice'], escalatedTo: ['erin'] });
    expect(failed.details.reason).toContain('user_not_found');

    // The escalation contact really got a direct message at Slack naming whom we could not reach.
    const told = await slack.waitFor('a direct message to erin about alice', (fake) =>
      fake
        .okCallsOf('chat.postMessage')
        .find((call) => call.args.channel === 'U0ERIN' && String(call.args.text).includes('could not reach alice')),
    );
    expect(String(told.args.text)).toContain('user_not_found');
  });
});

/**
 * Slack refuses everything (the bot token was revoked: invalid_auth). Nothing retries forever and
 * nothing blocks closure: every undeliverable notification is evidence, the escalation contact's
 * message fails too, so the operators' fallback webhook is told — and the incident still closes.
 */
describe('a Slack that refuses every call', () => {
  const received: Array<{ headers: Record<string, unknown>; body: any }> = [];
  const overrides: Record<string, string> = {};
  /** While set, the webhook keeps its answers back (parked requests are answered on release). */
  let parked: Array<() => void> | undefined;
  let receiver: Server;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(raw) });
        const answer = () => void res.writeHead(202).end();
        if (parked) parked.push(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    overrides.NOTIFICATION_FALLBACK_URL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/tourniquet`;
  });
  const context = useSlackApp(overrides);
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('still closes the incident, with notification.failed evidence and the fallback channel told', async () => {
    const { app, slack } = context;
    slack.failEverything({ error: 'invalid_auth' });
    const id = await openIncident(app, { secretId: 'payments-db', description: 'a test fixture, not a password' });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'false-positive', 'test fixture value')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol', 'checked: the value is a fixture')).status).toBe(200);
    const closed = await waitForPhase(app, id, 'closed');
    expect(closed.outcome).toBe('false-positive');

    // Slack really refused: no call of the product succeeded there.
    expect(slack.calls.length).toBeGreaterThan(0);
    expect(slack.okCallsOf('chat.postMessage')).toHaveLength(0);

    // The run ends once everything it sent is settled (bounded retries): then read the evidence.
    await app.client.workflow.getHandle(closed.workflowId).result();
    const evidence = (await api(app.baseUrl, 'GET', `/api/incidents/${id}/timeline`, { as: 'erin' })).body
      .evidence as Array<{ kind: string; seq: number; details: any }>;
    const failures = evidence.filter((record) => record.kind === 'notification.failed');
    const opened = failures.find(
      (record) => record.details.kind === 'incident-opened' && record.details.to[0] === 'alice',
    );
    expect(opened?.details).toMatchObject({ escalatedTo: ['erin'], fallback: false });
    expect(opened?.details.reason).toContain('invalid_auth');
    // Erin could not be reached either: the operators' channel was told instead.
    const escalation = failures.find((record) => record.details.to[0] === 'erin' && record.details.fallback === true);
    expect(escalation).toBeDefined();
    expect(
      evidence.some((record) => record.kind === 'notification.rerouted' && record.details.channel === 'webhook'),
    ).toBe(true);
    // Even the 'closed' notification's failure is recorded: closure waited for it (bounded) before sealing.
    const closedSeq = evidence.find((record) => record.kind === 'incident.closed')!.seq;
    expect(failures.some((record) => record.details.kind === 'closed')).toBe(true);
    expect(Math.max(...evidence.map((record) => record.seq))).toBeGreaterThan(closedSeq);

    // The webhook really received it: who could not be reached, why, with an idempotency key.
    const notice = received.find((request) => request.body.incidentId === id && request.body.to.includes('erin'));
    expect(notice?.body).toMatchObject({ type: 'tourniquet.notification.undeliverable', kind: 'needs-attention' });
    expect(notice?.body.text).toContain('could not reach alice');
    expect(notice?.body.reason).toContain('invalid_auth');
    expect(notice?.headers['idempotency-key']).toBe(notice?.body.key);

    recordHistoryIfAsked('notification-failed', await app.client.workflow.getHandle(closed.workflowId).fetchHistory());
  });

  it('does not lose a report that arrives while the closing incident waits for its notifications', async () => {
    const { app, slack } = context;
    slack.failEverything({ error: 'invalid_auth' });
    parked = [];
    const id = await openIncident(app, { secretId: 'slack-db', description: 'a fixture value in a test log' });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'false-positive', 'fixture value')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol', 'checked: fixture')).status).toBe(200);
    const closing = await waitForPhase(app, id, 'closed');
    const handle = app.client.workflow.getHandle(closing.workflowId);
    const firstRun = (await handle.describe()).runId;
    // The run is still open: closure waits for the fallback webhook, which holds its answers back (the phase
    // reads closed before the last notifications have failed over to it: wait for the first to arrive).
    await eventually(
      async () => parked?.length ?? 0,
      (count) => count > 0,
      30_000,
      'the fallback webhook called',
    );
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const again = await openIncident(app, {
      secretId: 'slack-db',
      description: 'the same credential, leaked for real',
      location: 'https://paste.example/late-report',
    });
    expect(again).toBe(id); // it reached the closing run
    const waiting = parked;
    parked = undefined;
    waiting.forEach((answer) => answer());

    // The closing run ended and the report became the credential's next incident.
    await waitForNewRun(handle, firstRun);
    const next = await handle.query<{ incidentId: string }>('getStatus');
    expect(next.incidentId).not.toBe(id);
    const evidence = await waitForEvidence(app, next.incidentId, 'incident.opened');
    const opened = evidence.find((record) => record.kind === 'incident.opened')!;
    expect(opened.details.sighting.location).toBe('https://paste.example/late-report');
    // …and not a sighting swallowed by the closed one (read from the evidence store itself).
    const { rows } = await app.database.query<{ kind: string; record: unknown }>(
      'SELECT kind, record FROM evidence_records WHERE incident_id = $1 ORDER BY seq',
      [id],
    );
    expect(rows.map((row) => row.kind)).toContain('incident.closed');
    expect(JSON.stringify(rows)).not.toContain('late-report');
  });
});

/** Waits until the workflow runs a run other than `runId`; answers the new run id. */
async function waitForNewRun(handle: { describe(): Promise<{ runId: string }> }, runId: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { runId: current } = await handle.describe();
    if (current !== runId) return current;
    if (Date.now() > deadline) throw new Error('the closing run never ended');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Slack accepted a direct message but its answer never came back (our client gave up after its
 * 10-s timeout). Slack has no idempotency key: the retry must look in the conversation for the post
 * (it carries its delivery key in the message metadata) instead of posting it a second time.
 */
describe('a direct message whose answer was lost', () => {
  const context = useSlackApp();

  it('is found in the conversation by the retry and not posted twice', async () => {
    const { app, slack } = context;
    const toAlice = (args: Record<string, unknown>) =>
      args.channel === 'U0ALICE' && String(args.text).startsWith('Leaked credential reported');
    const lost = slack.hold('answer lost', 'chat.postMessage', 'after', toAlice);
    try {
      const id = await openIncident(app, { secretId: 'payments-db', description: 'password in a wiki page' });
      // Slack stored the message; its answer is held back until the product's client times out.
      await slack.waitFor('the held post', () => lost.reached >= 1);
      expect(slack.messages.filter((m) => toAlice(m.args))).toHaveLength(1);
      // Notifications to a person go out in order: the next one reaches alice once the lost one is settled.
      await slack.waitFor(
        'the decision request to alice',
        (fake) =>
          fake
            .okCallsOf('chat.postMessage')
            .find((call) => call.args.channel === 'U0ALICE' && String(call.args.text).includes('needs your decision')),
        60_000,
      );
      // The retry read the conversation and found the first post; it never posted again.
      expect(slack.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);
      expect(slack.callsOf('chat.postMessage').filter((call) => toAlice(call.args))).toHaveLength(1);
      expect(lost.reached).toBe(1);
      const evidence = await waitForEvidence(app, id, 'decision.requested');
      expect(evidence.filter((record) => record.kind === 'notification.failed')).toEqual([]);
    } finally {
      lost.release();
    }
  });
});
