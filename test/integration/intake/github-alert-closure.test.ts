import { randomUUID } from 'node:crypto';
import { fixture, githubRequest, post } from '../../fixtures/intake/requests';
import { useIntakeApp } from '../../support/intake-app';
import { api } from '../../support/http';
import { decide, verify, waitForEvidence, waitForPhase } from '../../support/incidents';
import { recordHistoryIfAsked } from '../../support/secrets';

const PUBLIC_BASE_URL = 'https://tourniquet.example.com';

/**
 * A GitHub secret scanning alert through the running product, to closure: once the credential is
 * contained and verified, Tourniquet resolves the alert at GitHub as revoked, linking the evidence.
 */
describe('closing the GitHub secret scanning alert of a contained incident', () => {
  const intake = useIntakeApp({ PUBLIC_BASE_URL });

  /**
   * Posts a `secret_scanning_alert` webhook for a credential the catalog does not know, so the
   * security team contains it by hand: erin decides and confirms, frank verifies.
   */
  async function reportAndContain(): Promise<{
    incidentId: string;
    repo: string;
    number: number;
  }> {
    const repo = `svc-${randomUUID().slice(0, 8)}`;
    const number = 1000 + Math.floor(Math.random() * 1e6);
    const rest = {
      ...JSON.parse(fixture('github-rest-alert.json')),
      number,
      secret: `acme_${randomUUID()}`,
      secret_type: 'acme_api_token',
    };
    intake.github.setAlert('octo-org', repo, rest, JSON.parse(fixture('github-rest-locations.json')));
    const payload = JSON.parse(fixture('github-secret-scanning-alert-created.json'));
    payload.alert.number = number;
    payload.repository = {
      ...payload.repository,
      name: repo,
      full_name: `octo-org/${repo}`,
    };
    const delivery = randomUUID();
    expect((await post(intake.app.baseUrl, githubRequest('secret_scanning_alert', payload, delivery))).status).toBe(
      202,
    );
    const { incidentId } = (await intake.app.client.workflow.getHandle(`github-delivery-${delivery}`).result()) as {
      incidentId: string;
    };

    await waitForPhase(intake.app, incidentId, 'awaiting-decision');
    expect((await decide(intake.app, incidentId, 'erin', 'revoke')).status).toBe(200);
    await waitForPhase(intake.app, incidentId, 'awaiting-manual-containment');
    const confirmed = await api(intake.app.baseUrl, 'POST', `/api/incidents/${incidentId}/manual-containment`, {
      as: 'erin',
      body: { note: 'token deleted in the Acme console' },
    });
    expect(confirmed.status).toBe(200);
    await waitForPhase(intake.app, incidentId, 'awaiting-verification');
    expect((await verify(intake.app, incidentId, 'frank')).status).toBe(200);
    return { incidentId, repo, number };
  }

  it('resolves the alert as revoked, once, with a link to the audit page, and records it as evidence', async () => {
    const { incidentId, repo, number } = await reportAndContain();
    const evidence = await waitForEvidence(intake.app, incidentId, 'source-alert.closed');
    expect((await waitForPhase(intake.app, incidentId, 'closed')).outcome).toBe('contained');

    const patches = intake.github.patches.filter(
      (patch) => patch.path === `/repos/octo-org/${repo}/secret-scanning/alerts/${number}`,
    );
    expect(patches).toHaveLength(1);
    const body = patches[0]!.body;
    expect(body).toMatchObject({ state: 'resolved', resolution: 'revoked' });
    expect(body.resolution_comment).toBe(
      `Revoked by Tourniquet, incident ${incidentId}: ${PUBLIC_BASE_URL}/audit/incidents/${incidentId}`,
    );
    expect(String(body.resolution_comment).length).toBeLessThanOrEqual(270);

    const closedAt = evidence.findIndex((record) => record.kind === 'incident.closed');
    const closedAlert = evidence.findIndex((record) => record.kind === 'source-alert.closed');
    expect(closedAlert).toBeGreaterThan(closedAt);
    const record = evidence[closedAlert]!;
    expect(record.actor.type).toBe('worker');
    expect(record.delegatedBy).toEqual({ type: 'person', id: 'frank', slackUserId: 'U0FRANK' });
    // A scanner's report is delegated by the detector, not by a person.
    expect(evidence.find((r) => r.kind === 'incident.opened')!.delegatedBy).toEqual({ type: 'source', id: 'github' });
    expect(record.details.alert).toEqual({
      provider: 'github',
      repository: `octo-org/${repo}`,
      number,
    });
    expect(record.providerAnswer).toMatchObject({
      provider: 'github',
      operation: 'secret-scanning.resolve-alert',
    });
    expect(record.providerAnswer.alreadyDone).toBeUndefined();
    expect(evidence.some((r) => r.kind === 'source-alert.close-failed')).toBe(false);
    const status = await intake.app.service.status(incidentId);
    await intake.app.client.workflow.getHandle(status!.workflowId).result();
    recordHistoryIfAsked(
      'github-alert-closure',
      await intake.app.client.workflow.getHandle(status!.workflowId).fetchHistory(),
    );
  });

  it('keeps the incident closed and records the failure when GitHub refuses to close the alert', async () => {
    intake.github.failNextPatch(1, 403, {
      message: 'Resource not accessible by integration',
    });
    const { incidentId, repo, number } = await reportAndContain();
    const evidence = await waitForEvidence(intake.app, incidentId, 'source-alert.close-failed');
    expect((await waitForPhase(intake.app, incidentId, 'closed')).outcome).toBe('contained');

    // PERMISSION_DENIED is not retried: one refused PATCH, and the alert stays open at GitHub.
    expect(
      intake.github.patches.filter(
        (patch) => patch.path === `/repos/octo-org/${repo}/secret-scanning/alerts/${number}`,
      ),
    ).toHaveLength(1);
    const failed = evidence.find((record) => record.kind === 'source-alert.close-failed')!;
    expect(failed.details.summary).toContain('Resource not accessible by integration');
    expect(failed.delegatedBy).toEqual({ type: 'person', id: 'frank', slackUserId: 'U0FRANK' });
    expect(evidence.some((r) => r.kind === 'source-alert.closed')).toBe(false);
  });
});
