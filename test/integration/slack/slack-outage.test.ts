import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, eventually } from '../../support/http';
import { openIncident } from '../../support/incidents';
import { recordHistoryIfAsked } from '../../support/secrets';
import { startTimeSkippingServer, type TimeSkippingServer } from '../../support/time-skipping';
import { useSlackApp } from './slack-requests';

jest.setTimeout(240_000);

interface Evidence {
  at: string;
  kind: string;
  seq: number;
  details: any;
}

/**
 * Slack is down (every Web API call answers 503) for longer than a notification's retries last:
 * about five minutes of backing-off attempts, counted here on Temporal's time-skipping test server,
 * whose clock the test moves on. Each notification then fails for good, is recorded with the reason,
 * and goes straight to the operators' fallback webhook — not first to the escalation contacts in
 * Slack, which would wait out the same outage for another five minutes.
 */
describe('a Slack outage longer than the retries', () => {
  const received: Array<{ body: any }> = [];
  const overrides: Record<string, string> = { LOG_LEVEL: 'warn' };
  let receiver: Server;
  let server: TimeSkippingServer;
  beforeAll(async () => {
    server = await startTimeSkippingServer();
    overrides.TEMPORAL_ADDRESS = server.address;
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        received.push({ body: JSON.parse(raw) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    overrides.NOTIFICATION_FALLBACK_URL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/tourniquet`;
  }, 180_000);
  const context = useSlackApp(overrides);
  afterAll(async () => {
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await server?.stop();
  });

  it('records each failed notification and tells the fallback channel, within the bounded retries', async () => {
    const { app, slack } = context;
    slack.failEverything({ status: 503 });
    const id = await openIncident(app, { secretId: 'vendor-api-key', description: 'key in a public gist' });
    const timeline = () => api(app.baseUrl, 'GET', `/api/incidents/${id}/timeline`, { as: 'erin' });
    const failedFor = (records: Evidence[], kind: string) =>
      records.find((record) => record.kind === 'notification.failed' && record.details.kind === kind);

    // The server's clock moves a minute at a time until the first direct message has used its retries.
    const evidence = await eventually(
      async () => {
        await server.sleep('1 minute');
        return (await timeline()).body.evidence as Evidence[];
      },
      (records) =>
        Boolean(failedFor(records, 'incident-opened')) &&
        records.some((record) => record.kind === 'notification.rerouted'),
      180_000,
      'the first notification failed and rerouted',
    );

    // Slack really was down: nothing the product sent there succeeded, and it was tried more than once.
    expect(slack.okCallsOf('chat.postMessage')).toHaveLength(0);
    // Each of the first notification's attempts (8) met at least one 503.
    expect(slack.calls.every((call) => call.status === 503)).toBe(true);
    expect(slack.calls.length).toBeGreaterThanOrEqual(8);

    const opened = evidence.find((record) => record.kind === 'incident.opened')!;
    const failed = failedFor(evidence, 'incident-opened')!;
    expect(failed.details).toMatchObject({ to: ['alice'], escalatedTo: [], fallback: true, outage: true });
    expect(failed.details.reason).toContain('HTTP 503');
    // Bounded: the retries of one notification end within minutes of the server's clock, not hours.
    const waitedMs = Date.parse(failed.at) - Date.parse(opened.at);
    expect(waitedMs).toBeGreaterThan(60_000);
    expect(waitedMs).toBeLessThan(15 * 60_000);
    // Nobody was told through Slack while Slack was down: no escalation of an undelivered message there.
    expect(
      evidence
        .filter((record) => record.kind === 'notification.failed')
        .every((r) => r.details.escalatedTo.length === 0),
    ).toBe(true);

    // The operators' webhook really received who could not be reached and why.
    const notice = received.find((request) => request.body.incidentId === id && request.body.to.includes('alice'));
    expect(notice?.body).toMatchObject({ type: 'tourniquet.notification.undeliverable', kind: 'incident-opened' });
    expect(notice?.body.reason).toContain('HTTP 503');

    recordHistoryIfAsked(
      'outage-to-fallback',
      await app.client.workflow
        .getHandle((await api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' })).body.workflowId)
        .fetchHistory(),
    );
  });
});
