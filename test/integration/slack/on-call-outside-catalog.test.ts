import { join } from 'node:path';
import { FakePagerDuty } from '../../fakes/pagerduty-api';
import { FakeSlackWebApi } from '../../fakes/slack-web-api';
import { startTestApp, type TestApp } from '../../support/app';
import { waitForEvidence } from '../../support/incidents';
import { buttonIn, clickOn, sendSigned, SIGNING_SECRET } from './slack-requests';

const CATALOG = join(__dirname, '../../fixtures/catalog.ownership.yaml');

/**
 * PagerDuty names someone the catalog does not list; Slack `users.lookupByEmail` finds them. They are
 * asked in Slack and their click decides, as `slack:<user id>`, because the incident names exactly that
 * person; another Slack user outside the catalog clicking the same button is refused.
 */
describe('an on-call person found only through Slack', () => {
  const slack = new FakeSlackWebApi();
  const pagerduty = new FakePagerDuty();
  let app: TestApp;

  beforeAll(async () => {
    await Promise.all([slack.start(), pagerduty.start()]);
    slack.usersByEmail.set('kim@example.com', { id: 'U0KIM', realName: 'Kim Contractor' });
    pagerduty.onCalls = [
      { escalationPolicyId: 'PPAYMNT', level: 1, email: 'kim@example.com', name: 'Kim' },
      { escalationPolicyId: 'PPAYMNT', level: 2, email: 'carol@example.com', name: 'Carol' },
    ];
    app = await startTestApp({
      CATALOG_PATH: CATALOG,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PAGERDUTY_API_URL: pagerduty.url,
      PAGERDUTY_API_TOKEN: pagerduty.token,
      // The shared catalog also names Opsgenie and Backstage for other teams; this incident asks neither.
      OPSGENIE_API_KEY: 'unused-here',
      BACKSTAGE_URL: 'http://127.0.0.1:9',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack.stop(), pagerduty.stop()]);
  });

  it('is asked in Slack and decides with a click; a stranger clicking the same button is refused', async () => {
    const opened = await app.service.open({
      secretId: 'vendor-key',
      sighting: {
        source: 'api',
        sourceRef: `outside-catalog-${Date.now()}`,
        detectedAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        reportedBy: 'erin',
      },
    });
    const id = opened.incidentId;
    const dm = await slack.waitFor('a decision request to Kim', (s) =>
      s.postedTo('U0KIM').find((m) => buttonIn(m.args['blocks'], 'tq_decide')),
    );
    expect((await app.service.status(id))?.roles?.primary).toMatchObject({ id: 'slack:U0KIM', slackUserId: 'U0KIM' });
    const click = (user: string, name: string) => {
      const button = buttonIn(dm.args['blocks'], 'tq_decide')!;
      return clickOn(user, dm, button, slack.responseUrl(name));
    };
    const answerAt = (name: string) =>
      slack.waitFor(`answer at ${name}`, (s) => s.callsOf(`response:${name}`)[0]).then((c) => String(c.args['text']));

    await sendSigned(app.baseUrl, click('U0STRANGER', 'stranger'));
    expect(await answerAt('stranger')).toMatch(/Refused: slack:U0STRANGER is not an approver/);
    expect((await app.service.status(id))?.approvals).toEqual([]);

    await sendSigned(app.baseUrl, click('U0KIM', 'kim'));
    expect(await answerAt('kim')).toContain('recorded');
    const evidence = await waitForEvidence(app, id, 'decision.made');
    const approval = evidence.find((r) => r.kind === 'decision.made')!;
    expect(approval.actor).toMatchObject({ type: 'person', id: 'slack:U0KIM' });
    expect(approval.delegatedBy).toMatchObject({ type: 'person', id: 'slack:U0KIM', slackUserId: 'U0KIM' });
  });
});
