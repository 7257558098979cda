import { createHmac } from 'node:crypto';
import { verifyAwsHealthSecret } from '../../../integrations/intake/aws-health';
import {
  IntakeRejection,
  constantTimeEqual,
  signTourniquetRequest,
  verifyTourniquetSignature,
} from '../../../integrations/intake/common';
import { verifyGithubSignature } from '../../../integrations/intake/github';
import { verifyGitguardianSignature } from '../../../integrations/intake/gitguardian';
import { INTAKE_SECRETS, fixture, githubRequest, gitguardianRequest } from '../../fixtures/intake/requests';

const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

function rejection(work: () => void): IntakeRejection {
  try {
    work();
  } catch (error) {
    if (error instanceof IntakeRejection) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('GitHub X-Hub-Signature-256', () => {
  const body = fixture('github-secret-scanning-alert-created.json');
  const secret = INTAKE_SECRETS.GITHUB_WEBHOOK_SECRET;

  it('accepts the HMAC GitHub computes over the raw body', () => {
    const request = githubRequest('secret_scanning_alert', body);
    expect(() => verifyGithubSignature(Buffer.from(body), request.headers, secret)).not.toThrow();
  });

  it('refuses a body changed by one byte after signing', () => {
    const request = githubRequest('secret_scanning_alert', body);
    const error = rejection(() =>
      verifyGithubSignature(Buffer.from(body.replace('42', '43')), request.headers, secret),
    );
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/does not match/);
  });

  it('refuses a signature made with another secret (forged)', () => {
    const request = githubRequest('secret_scanning_alert', body, undefined, 'attacker-guess');
    expect(rejection(() => verifyGithubSignature(Buffer.from(body), request.headers, secret)).status).toBe(401);
  });

  it('refuses an unsigned delivery, naming the header', () => {
    expect(rejection(() => verifyGithubSignature(Buffer.from(body), {}, secret)).message).toMatch(
      /missing X-Hub-Signature-256/,
    );
  });

  it('refuses the legacy sha1 header format', () => {
    const sha1 = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
    const error = rejection(() => verifyGithubSignature(Buffer.from(body), { 'x-hub-signature-256': sha1 }, secret));
    expect(error.message).toMatch(/sha256=<hex>/);
  });
});

describe('GitGuardian Gitguardian-Signature', () => {
  const body = fixture('gitguardian-incident-triggered.json');
  const token = INTAKE_SECRETS.GITGUARDIAN_SIGNATURE_TOKEN;
  const now = new Date('2025-11-20T09:15:33Z');

  it('accepts HMAC keyed by the Timestamp header followed by the token', () => {
    const request = gitguardianRequest(body, now);
    expect(() => verifyGitguardianSignature(Buffer.from(body), request.headers, token, 300, now)).not.toThrow();
  });

  it('refuses a stale timestamp even when correctly signed (replay)', () => {
    const request = gitguardianRequest(body, new Date(now.getTime() - 301_000));
    expect(
      rejection(() => verifyGitguardianSignature(Buffer.from(body), request.headers, token, 300, now)).message,
    ).toMatch(/stale or replayed/);
  });

  it('refuses a timestamp swapped after signing (the key includes it)', () => {
    const request = gitguardianRequest(body, now);
    const headers = { ...request.headers, timestamp: String(Number(request.headers.timestamp) + 1) };
    expect(rejection(() => verifyGitguardianSignature(Buffer.from(body), headers, token, 300, now)).message).toMatch(
      /does not match/,
    );
  });

  it('refuses a missing or malformed Timestamp', () => {
    const request = gitguardianRequest(body, now);
    expect(
      rejection(() =>
        verifyGitguardianSignature(
          Buffer.from(body),
          { 'gitguardian-signature': request.headers['gitguardian-signature'] },
          token,
          300,
          now,
        ),
      ).message,
    ).toMatch(/missing Timestamp/);
    expect(
      rejection(() =>
        verifyGitguardianSignature(Buffer.from(body), { ...request.headers, timestamp: 'yesterday' }, token, 300, now),
      ).message,
    ).toMatch(/Unix seconds/);
  });
});

describe('Tourniquet signed format (TruffleHog CI step, generic alerts)', () => {
  const body = '{"id":"a-1"}';
  const secret = INTAKE_SECRETS.GENERIC_WEBHOOK_SECRET;
  const now = new Date('2025-11-20T09:00:00Z');

  it('accepts HMAC over "<timestamp>.<body>"', () => {
    const headers = lower(signTourniquetRequest(body, secret, now));
    expect(() => verifyTourniquetSignature(Buffer.from(body), headers, secret, 300, now)).not.toThrow();
  });

  it('refuses stale, forged and unsigned requests', () => {
    const stale = lower(signTourniquetRequest(body, secret, new Date(now.getTime() - 600_000)));
    expect(rejection(() => verifyTourniquetSignature(Buffer.from(body), stale, secret, 300, now)).status).toBe(401);
    const forged = lower(signTourniquetRequest(body, 'not-the-secret', now));
    expect(rejection(() => verifyTourniquetSignature(Buffer.from(body), forged, secret, 300, now)).message).toMatch(
      /does not match/,
    );
    expect(rejection(() => verifyTourniquetSignature(Buffer.from(body), {}, secret, 300, now)).message).toMatch(
      /missing X-Tourniquet-Timestamp/,
    );
  });
});

describe('AWS Health shared-secret header', () => {
  it('accepts the configured secret and refuses others', () => {
    const secret = INTAKE_SECRETS.AWS_HEALTH_SHARED_SECRET;
    expect(() => verifyAwsHealthSecret({ 'x-tourniquet-secret': secret }, secret)).not.toThrow();
    expect(rejection(() => verifyAwsHealthSecret({ 'x-tourniquet-secret': `${secret}x` }, secret)).status).toBe(401);
    expect(rejection(() => verifyAwsHealthSecret({}, secret)).message).toMatch(/missing X-Tourniquet-Secret/);
  });
});

describe('constantTimeEqual', () => {
  it('compares strings of different lengths without throwing', () => {
    expect(constantTimeEqual('a', 'a')).toBe(true);
    expect(constantTimeEqual('a', 'ab')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
  });
});
