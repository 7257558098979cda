import { decideAwsHealth } from '../../../integrations/intake/aws-health';
import { IntakeRejection, type IntakeAlert, type IntakeDecision } from '../../../integrations/intake/common';
import { decideGeneric } from '../../../integrations/intake/generic';
import { decideGitguardian } from '../../../integrations/intake/gitguardian';
import { decideTrufflehog, parseTrufflehogFindings } from '../../../integrations/intake/trufflehog';
import { awsHealthEvent, fakeAwsKey, fill, fixture, trufflehogLines } from '../../fixtures/intake/requests';

const now = new Date('2025-11-20T09:20:00Z');
const buf = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

function alerts(decision: IntakeDecision): IntakeAlert[] {
  if (decision.kind !== 'open') throw new Error(`expected alerts, got ignore: ${decision.reason}`);
  return decision.alerts;
}

function refused(work: () => unknown): IntakeRejection {
  try {
    work();
  } catch (error) {
    if (error instanceof IntakeRejection) return error;
    throw error;
  }
  throw new Error('expected a 4xx');
}

describe('GitGuardian events', () => {
  it('maps incident_triggered to a sighting named by the GitGuardian incident', () => {
    const [alert] = alerts(decideGitguardian(buf(fixture('gitguardian-incident-triggered.json')), now));
    expect(alert?.command.identifiers).toEqual(['gitguardian:incident:3831605']);
    expect(alert?.command.sighting).toMatchObject({
      source: 'gitguardian',
      detectedAt: '2025-11-20T09:15:31.666Z',
      verifiedActive: true,
      location: 'https://dashboard.gitguardian.com/workspace/8821/incidents/3831605',
      reportedBy: 'gitguardian',
    });
    expect(alert?.command.leakedValue).toBeUndefined();
  });

  it('maps new_occurrence with the commit link and the repository as campaign', () => {
    const [alert] = alerts(decideGitguardian(buf(fixture('gitguardian-new-occurrence.json')), now));
    expect(alert?.command.sighting.location).toContain('/commit/f14d7deb');
    expect(alert?.command.sighting.campaign).toBe('gitguardian:octo-org/payments-service');
    expect(alert?.deliveryKey).toBe('gitguardian-incident-3831605/new_occurrence/99120344');
  });

  it('records incident_resolved as resolved at the source', () => {
    const [alert] = alerts(decideGitguardian(buf(fixture('gitguardian-incident-resolved.json')), now));
    expect(alert?.command.sighting).toMatchObject({
      resolvedAtSource: true,
      verifiedActive: false,
      notes: 'revoked at the source',
    });
  });

  it('acknowledges and ignores assignment events', () => {
    expect(decideGitguardian(buf(fixture('gitguardian-incident-assigned.json')), now)).toMatchObject({
      kind: 'ignore',
    });
  });

  it('names the missing field of a malformed incident', () => {
    const payload = JSON.parse(fixture('gitguardian-incident-triggered.json'));
    delete payload.incident.detector;
    expect(refused(() => decideGitguardian(buf(payload), now)).message).toMatch(/incident\.detector|detector/);
  });

  it('opens a used honeytoken as a confirmed trip, its trigger and later uses under one identifier', () => {
    const triggered = {
      timestamp: '2025-11-20T09:19:00Z',
      action: 'honeytoken_triggered',
      honeytoken: { id: 'ht-1', name: 'decoy', type: 'AWS', triggered_at: '2025-11-20T09:18:59Z' },
    };
    const [trip] = alerts(decideGitguardian(buf(triggered), now));
    expect(trip?.command.identifiers).toEqual(['gitguardian:honeytoken:ht-1']);
    expect(trip?.command.providerHint).toBe('aws-iam');
    expect(trip?.command.sighting).toMatchObject({
      verifiedActive: true,
      publiclyExposed: true,
      honeytokenTripped: true,
      detectedAt: '2025-11-20T09:18:59.000Z',
    });
    const used = {
      timestamp: '2025-11-20T09:19:30Z',
      action: 'new_honeytoken_event',
      honeytoken_event: { id: 'ev-2', honeytoken_id: 'ht-1', ip_address: '198.51.100.7' },
    };
    const [use] = alerts(decideGitguardian(buf(used), now));
    expect(use?.command.identifiers).toEqual(['gitguardian:honeytoken:ht-1']);
    expect(use?.deliveryKey).toBe('gitguardian-honeytoken-ht-1/new_honeytoken_event/ev-2');
    expect(use?.command.sighting.notes).toBe('honeytoken tripped from 198.51.100.7');
  });

  it('names what a honeytoken event lacks', () => {
    const message = refused(() =>
      decideGitguardian(buf({ timestamp: '2025-11-20T09:19:00Z', action: 'new_honeytoken_event' }), now),
    ).message;
    expect(message).toContain('honeytoken_event');
  });
});

describe('TruffleHog JSON lines', () => {
  const key = fakeAwsKey();
  const canary = fakeAwsKey();
  const lines = trufflehogLines(key, canary);

  it('keeps the value in leakedValue only and the key id as identifier', () => {
    const [aws] = alerts(decideTrufflehog(parseTrufflehogFindings(buf(lines.aws)), 'k', now));
    expect(aws?.command.leakedValue).toBe(`${key.keyId}${key.secret}`);
    expect(aws?.command.identifiers).toEqual([key.keyId]);
    const rest: Record<string, unknown> = { ...aws?.command };
    delete rest.leakedValue;
    expect(JSON.stringify(rest)).not.toContain(key.secret);
    expect(aws?.deliveryKey).not.toContain(key.secret);
    expect(aws?.command.sighting).toMatchObject({
      source: 'trufflehog',
      verifiedActive: true,
      campaign: 'trufflehog:https://github.com/octo-org/web-frontend.git',
    });
    expect(aws?.command.sighting.canary).toBeUndefined();
  });

  it('marks ExtraData.is_canary findings as canaries', () => {
    const found = alerts(decideTrufflehog(parseTrufflehogFindings(buf(`${lines.aws}\n${lines.canary}\n`)), 'k', now));
    expect(found.map((alert) => alert.command.sighting.canary)).toEqual([undefined, true]);
  });

  it('keeps two different secrets at the same place as two alerts', () => {
    const other = lines.aws.split(key.secret).join(fakeAwsKey().secret);
    const found = alerts(decideTrufflehog(parseTrufflehogFindings(buf(`${lines.aws}\n${other}`)), 'k', now));
    expect(new Set(found.map((alert) => alert.deliveryKey)).size).toBe(2);
  });

  it('names the bad line without echoing it', () => {
    const error = refused(() =>
      parseTrufflehogFindings(buf(`${lines.aws}\n{"DetectorName":"AWS","Raw":"${key.secret}"}`)),
    );
    expect(error.message).toMatch(/line 2/);
    expect(error.message).not.toContain(key.secret);
    expect(refused(() => parseTrufflehogFindings(buf('\n\n'))).message).toMatch(/no findings/);
    expect(refused(() => parseTrufflehogFindings(buf('{not json'))).message).toMatch(/line 1 is not valid JSON/);
  });
});

describe('AWS Health events', () => {
  it('maps AWS_RISK_CREDENTIALS_EXPOSED to the key id, deduped on communicationId + account', () => {
    const { keyId } = fakeAwsKey();
    const [alert] = alerts(decideAwsHealth(buf(awsHealthEvent(keyId, 'comm-1')), now));
    expect(alert?.deliveryKey).toBe(`comm-1:123456789012:${keyId}`);
    expect(alert?.command.identifiers).toEqual([keyId]);
    expect(alert?.command.sighting).toMatchObject({
      source: 'aws-health',
      publiclyExposed: true,
      detectedAt: '2025-11-20T09:15:58.000Z',
    });
  });

  it('ignores health events that are not credential exposures', () => {
    expect(decideAwsHealth(buf(fixture('aws-health-scheduled-change.json')), now)).toMatchObject({ kind: 'ignore' });
  });

  it('refuses events from another EventBridge source, naming the field', () => {
    const event = { ...awsHealthEvent('AKIAAAAAAAAAAAAAAAAA'), source: 'aws.guardduty' };
    expect(refused(() => decideAwsHealth(buf(event), now)).message).toMatch(/source: only aws.health/);
  });
});

describe('generic signed alerts', () => {
  const alert = JSON.parse(fill(fixture('generic-alert.json'), { AWS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }));

  it('maps the documented fields', () => {
    const [mapped] = alerts(decideGeneric(buf(alert), now));
    expect(mapped?.deliveryKey).toBe('secretsbot-2025-11-20-000123');
    expect(mapped?.command).toMatchObject({
      identifiers: ['AKIAIOSFODNN7EXAMPLE'],
      sighting: { reportedBy: 'secretsbot', campaign: 'generic:secretsbot' },
    });
  });

  it('refuses unknown fields by name (a typo must not drop data silently)', () => {
    expect(refused(() => decideGeneric(buf({ ...alert, secret: 'x' }), now)).message).toMatch(/secret/);
  });

  it('refuses an alert that cannot identify a credential', () => {
    const rest = { ...alert };
    delete rest.identifiers;
    expect(refused(() => decideGeneric(buf(rest), now)).message).toMatch(/identifiers: give at least one/);
  });

  it('refuses a body that is not JSON', () => {
    expect(refused(() => decideGeneric(buf('id=1'), now)).message).toBe('body is not valid JSON');
  });
});
