import { randomUUID } from 'node:crypto';
import type { IncidentStatus } from '../../../domain/incident';
import {
  awsHealthEvent,
  awsHealthRequest,
  fakeAwsKey,
  fill,
  fixture,
  genericRequest,
  githubRequest,
  gitguardianRequest,
  post,
  trufflehogLines,
  trufflehogRequest,
} from '../../fixtures/intake/requests';
import { tokenOf } from '../../support/app';
import { useIntakeApp } from '../../support/intake-app';
import { historyText } from '../../support/secrets';

/** The message of the one error shape, `{ error: { code, message, fields?, requestId } }`. */
const errorMessage = (response: { body: Record<string, unknown> }) =>
  (response.body.error as { message?: string } | undefined)?.message;

/** Every source through the running product: real HTTP, real Temporal, real PostgreSQL. */
describe('webhook intake', () => {
  const intake = useIntakeApp({ INTAKE_MAX_BODY_BYTES: '65536' });

  async function statusOf(
    incidentId: string,
    until: (status: IncidentStatus) => boolean = () => true,
  ): Promise<IncidentStatus> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await intake.app.service.status(incidentId).catch(() => undefined);
      if (status && until(status)) return status;
      if (Date.now() > deadline)
        throw new Error(`incident ${incidentId} never reached the expected state: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const incidentIdOf = (body: Record<string, unknown>) =>
    (body.incidents as Array<{ incidentId: string }>)[0]!.incidentId;

  const genericAlert = (overrides: Record<string, unknown>) => ({
    ...JSON.parse(fill(fixture('generic-alert.json'), { AWS_KEY_ID: fakeAwsKey().keyId })),
    id: randomUUID(),
    ...overrides,
  });

  it('opens an incident from a generic signed alert, and a redelivery changes nothing', async () => {
    const request = genericRequest(genericAlert({}));
    const first = await post(intake.app.baseUrl, request);
    expect(first.status).toBe(200);
    const incidentId = incidentIdOf(first.body);
    expect((await statusOf(incidentId)).sightings).toBe(1);

    const again = await post(intake.app.baseUrl, genericRequest(request.body));
    expect([again.status, again.body.status]).toEqual([200, 'duplicate delivery']);
    expect((await statusOf(incidentId)).sightings).toBe(1);
  });

  it('joins one AWS key reported by AWS Health and by a generic alert into one incident with two sightings', async () => {
    const { keyId } = fakeAwsKey();
    const fromAws = await post(intake.app.baseUrl, awsHealthRequest(awsHealthEvent(keyId)));
    const fromGeneric = await post(intake.app.baseUrl, genericRequest(genericAlert({ identifiers: [keyId] })));
    expect([fromAws.status, fromGeneric.status]).toEqual([200, 200]);
    expect(incidentIdOf(fromGeneric.body)).toBe(incidentIdOf(fromAws.body));
    expect((await statusOf(incidentIdOf(fromAws.body), (s) => s.sightings === 2)).sightings).toBe(2);
    // AWS Health's at-least-once copy of the same notification is a no-op.
    const communicationId = randomUUID();
    const original = await post(intake.app.baseUrl, awsHealthRequest(awsHealthEvent(keyId, communicationId)));
    const copy = await post(intake.app.baseUrl, awsHealthRequest(awsHealthEvent(keyId, communicationId)));
    expect([original.body.status, copy.status, copy.body.status]).toEqual(['accepted', 200, 'duplicate delivery']);
  });

  it('joins an AWS key reported by AWS Health (key id only) and by TruffleHog (key id and secret) into one incident', async () => {
    const key = fakeAwsKey();
    const fromAws = await post(intake.app.baseUrl, awsHealthRequest(awsHealthEvent(key.keyId)));
    const fromTrufflehog = await post(
      intake.app.baseUrl,
      trufflehogRequest(`${trufflehogLines(key, fakeAwsKey()).aws}\n`),
    );
    expect([fromAws.status, fromTrufflehog.status]).toEqual([200, 200]);
    expect(incidentIdOf(fromTrufflehog.body)).toBe(incidentIdOf(fromAws.body));
    expect((await statusOf(incidentIdOf(fromAws.body), (s) => s.sightings === 2)).sightings).toBe(2);
  });

  it('opens from GitGuardian, adds occurrences as sightings, and ignores assignments', async () => {
    const id = Math.floor(Math.random() * 1e9);
    const withId = (name: string) => JSON.parse(fixture(name).split('3831605').join(String(id)));
    const opened = await post(intake.app.baseUrl, gitguardianRequest(withId('gitguardian-incident-triggered.json')));
    expect(opened.status).toBe(200);
    const occurrence = await post(intake.app.baseUrl, gitguardianRequest(withId('gitguardian-new-occurrence.json')));
    expect(incidentIdOf(occurrence.body)).toBe(incidentIdOf(opened.body));
    const resolved = await post(intake.app.baseUrl, gitguardianRequest(withId('gitguardian-incident-resolved.json')));
    expect(resolved.status).toBe(200);
    const status = await statusOf(incidentIdOf(opened.body), (s) => s.sightings === 3);
    expect(status.timeline.some((entry) => entry.kind === 'sighting.resolved-at-source')).toBe(true);
    const assigned = await post(intake.app.baseUrl, gitguardianRequest(withId('gitguardian-incident-assigned.json')));
    expect([assigned.status, assigned.body.status]).toEqual([202, 'ignored']);
  });

  it('records a TruffleHog canary without containing it, and its value reaches no log, history or response', async () => {
    const key = fakeAwsKey();
    const canary = fakeAwsKey();
    const lines = trufflehogLines(key, canary);
    const response = await post(intake.app.baseUrl, trufflehogRequest(`${lines.aws}\n${lines.canary}\n`));
    expect(response.status).toBe(200);
    const [, canaryIncident] = response.body.incidents as Array<{ incidentId: string; workflowId: string }>;
    const status = await statusOf(canaryIncident!.incidentId, (s) => s.outcome === 'canary');
    expect(status.phase).toBe('closed');

    // Payloads are base64 in a history; historyText decodes them so the search sees what Temporal stored.
    const history = historyText(await intake.app.client.workflow.getHandle(canaryIncident!.workflowId).fetchHistory());
    for (const text of [history, intake.app.logLines(), response.text, JSON.stringify(status)]) {
      expect(text).not.toContain(canary.secret);
      expect(text).not.toContain(key.secret);
    }
  });

  it('fetches a GitHub alert through the REST API (retrying failures), opens it, and ignores the redelivery', async () => {
    const token = `ghp_${randomUUID().replace(/-/g, '')}abcd`;
    const number = 1000 + Math.floor(Math.random() * 1e6);
    const rest = {
      ...JSON.parse(fixture('github-rest-alert.json')),
      number,
      secret: token,
      secret_type: 'github_personal_access_token',
    };
    intake.github.setAlert('octo-org', 'payments-service', rest, JSON.parse(fixture('github-rest-locations.json')));
    intake.github.failNext(2, 502);
    const payload = JSON.parse(fixture('github-secret-scanning-alert-created.json'));
    payload.alert.number = number;
    const delivery = randomUUID();

    const accepted = await post(intake.app.baseUrl, githubRequest('secret_scanning_alert', payload, delivery));
    expect([accepted.status, accepted.body.workflowId]).toEqual([202, `github-delivery-${delivery}`]);
    const opened = (await intake.app.client.workflow.getHandle(`github-delivery-${delivery}`).result()) as {
      incidentId: string;
      workflowId: string;
    };
    expect((await statusOf(opened.incidentId)).sightings).toBe(1);

    const redelivered = await post(intake.app.baseUrl, githubRequest('secret_scanning_alert', payload, delivery));
    expect([redelivered.status, redelivered.body.status]).toEqual([200, 'duplicate delivery']);

    // The same token found by TruffleHog in CI joins the same incident.
    const line = JSON.stringify({
      ...JSON.parse(trufflehogLines(fakeAwsKey(), fakeAwsKey()).aws),
      DetectorName: 'Github',
      Raw: token,
      RawV2: undefined,
    });
    const fromCi = await post(intake.app.baseUrl, trufflehogRequest(line));
    expect(incidentIdOf(fromCi.body)).toBe(opened.incidentId);
    expect((await statusOf(opened.incidentId, (s) => s.sightings === 2)).sightings).toBe(2);

    const history = JSON.stringify(
      await intake.app.client.workflow.getHandle(`github-delivery-${delivery}`).fetchHistory(),
    );
    expect(history).not.toContain(token);
    expect(intake.app.logLines()).not.toContain(token);
  });

  it('answers 4xx naming the problem: forged, unsigned, stale, malformed, unknown, oversized', async () => {
    const alert = genericAlert({});
    const forged = genericRequest(alert, new Date(), 'not-the-secret');
    expect((await post(intake.app.baseUrl, forged)).status).toBe(401);
    const unsigned = { ...genericRequest(alert), headers: { 'content-type': 'application/json' } };
    expect(errorMessage(await post(intake.app.baseUrl, unsigned))).toMatch(/missing X-Tourniquet-Timestamp/);
    const stale = genericRequest(alert, new Date(Date.now() - 3_600_000));
    expect(errorMessage(await post(intake.app.baseUrl, stale))).toMatch(/stale or replayed/);
    const malformed = await post(intake.app.baseUrl, genericRequest({ ...alert, detectedAt: 'soon' }));
    expect([malformed.status, errorMessage(malformed)]).toEqual([
      400,
      expect.stringMatching(/detectedAt: an ISO-8601 time/),
    ]);
    const unknown = await post(intake.app.baseUrl, { path: '/webhooks/pagerduty', headers: {}, body: '{}' });
    expect([unknown.status, errorMessage(unknown)]).toEqual([404, expect.stringMatching(/unknown intake/)]);
    const ping = await post(intake.app.baseUrl, githubRequest('ping', { zen: 'Design for failure.' }));
    expect(ping.status).toBe(202);
    const huge = genericRequest({ ...alert, description: 'x'.repeat(70_000) });
    const tooLarge = await post(intake.app.baseUrl, huge);
    expect([tooLarge.status, errorMessage(tooLarge)]).toEqual([413, expect.stringMatching(/INTAKE_MAX_BODY_BYTES/)]);
  });

  it('groups a burst from one scan into one campaign', async () => {
    const repo = `https://github.com/octo-org/burst-${randomUUID()}.git`;
    const lines = Array.from({ length: 5 }, () =>
      trufflehogLines(fakeAwsKey(), fakeAwsKey()).aws.split('https://github.com/octo-org/web-frontend.git').join(repo),
    );
    expect((await post(intake.app.baseUrl, trufflehogRequest(lines.join('\n')))).status).toBe(200);
    const burst = async () => {
      const response = await fetch(`${intake.app.baseUrl}/api/campaigns`, {
        headers: { authorization: `Bearer ${tokenOf('erin')}` },
      });
      const { campaigns } = (await response.json()) as {
        campaigns: Array<{ campaign: string; alerts: number; openIncidents: number }>;
      };
      return campaigns.find((c) => c.campaign === `trufflehog:${repo}`);
    };
    // Open incidents come from Temporal's visibility, which lists a run started a moment ago a moment later.
    let seen = await burst();
    for (const deadline = Date.now() + 15_000; seen?.openIncidents !== 5 && Date.now() < deadline; seen = await burst())
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toMatchObject({ alerts: 5, openIncidents: 5 });
    expect((await fetch(`${intake.app.baseUrl}/api/campaigns`)).status).toBe(401);
  });
});
