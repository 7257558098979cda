import { IntakeRejection } from '../../../integrations/intake/common';
import { decideGithubDelivery, githubAlertCommand } from '../../../integrations/intake/github';
import type { GithubAlertRef } from '../../../domain/open-incident';
import { GithubAlertLocationsSchema, GithubAlertSchema } from '../../../integrations/github-alerts/schemas';
import { fakeAwsKey, fixture, githubRequest } from '../../fixtures/intake/requests';

const now = new Date('2025-11-20T09:14:05Z');

function decide(event: string, payload: string | object, delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958') {
  const request = githubRequest(event, payload, delivery);
  return decideGithubDelivery(Buffer.from(request.body), request.headers, now);
}

describe('GitHub secret scanning deliveries', () => {
  it('asks to fetch the alert named by a created event', () => {
    const decision = decide('secret_scanning_alert', fixture('github-secret-scanning-alert-created.json'));
    expect(decision).toEqual({
      kind: 'fetch',
      ref: expect.objectContaining({
        owner: 'octo-org',
        repo: 'payments-service',
        alertNumber: 42,
        action: 'created',
        resolved: false,
        repositoryPublic: false,
      }),
    });
  });

  it('carries the location of a location event as a link', () => {
    const decision = decide(
      'secret_scanning_alert_location',
      fixture('github-secret-scanning-alert-location-created.json'),
    );
    expect(decision.kind === 'fetch' && decision.ref.location).toBe(
      'https://github.com/octo-org/payments-service/blob/f14d7debf9775f957cf4f1e8176da0786431f72b/deploy/terraform/provider.tf#L7',
    );
  });

  it('acknowledges and ignores other events and actions', () => {
    expect(decide('ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).toMatchObject({ kind: 'ignore' });
    const assigned = { ...JSON.parse(fixture('github-secret-scanning-alert-created.json')), action: 'assigned' };
    expect(decide('secret_scanning_alert', assigned)).toMatchObject({
      kind: 'ignore',
      reason: expect.stringContaining('assigned'),
    });
  });

  it('marks resolved and publicly leaked alerts', () => {
    const base = JSON.parse(fixture('github-secret-scanning-alert-created.json'));
    expect(decide('secret_scanning_alert', { ...base, action: 'resolved' })).toMatchObject({ ref: { resolved: true } });
    expect(decide('secret_scanning_alert', { ...base, action: 'publicly_leaked' })).toMatchObject({
      ref: { publiclyLeaked: true },
    });
  });

  it('names the malformed field and requires the delivery id', () => {
    const payload = JSON.parse(fixture('github-secret-scanning-alert-created.json'));
    payload.alert.number = 'forty-two';
    expect(() => decide('secret_scanning_alert', payload)).toThrow(/alert\.number/);
    expect(() => decide('secret_scanning_alert', fixture('github-secret-scanning-alert-created.json'), '')).toThrow(
      IntakeRejection,
    );
  });
});

describe('githubAlertCommand', () => {
  const ref: GithubAlertRef = {
    deliveryId: 'd-1',
    event: 'secret_scanning_alert',
    action: 'created',
    owner: 'octo-org',
    repo: 'payments-service',
    alertNumber: 42,
    receivedAt: now.toISOString(),
    repositoryPublic: false,
    publiclyLeaked: false,
    resolved: false,
  };

  it('puts the fetched secret in leakedValue only, and identifies it by type, repository and key id', () => {
    const { keyId } = fakeAwsKey();
    const alert = GithubAlertSchema.parse({ ...JSON.parse(fixture('github-rest-alert.json')), secret: keyId });
    const locations = GithubAlertLocationsSchema.parse(JSON.parse(fixture('github-rest-locations.json')));
    const command = githubAlertCommand(ref, alert, locations);
    expect(command.leakedValue).toBe(keyId);
    expect(command.identifiers).toEqual(['github:aws_access_key_id:octo-org/payments-service', keyId]);
    expect(command.sighting).toMatchObject({
      source: 'github',
      sourceRef: 'octo-org/payments-service#42@d-1',
      verifiedActive: true,
      publiclyExposed: false,
      resolvedAtSource: false,
      campaign: 'github:octo-org',
      location: expect.stringContaining('deploy/terraform/provider.tf#L7'),
      sourceAlert: { provider: 'github', repository: 'octo-org/payments-service', number: 42 },
    });
    const rest: Partial<typeof command> = { ...command };
    delete rest.leakedValue;
    delete rest.identifiers;
    expect(JSON.stringify(rest)).not.toContain(keyId);
  });
});
