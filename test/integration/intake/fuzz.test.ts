import fc from 'fast-check';
import {
  INTAKE_SECRETS,
  awsHealthRequest,
  genericRequest,
  githubRequest,
  gitguardianRequest,
  post,
  trufflehogRequest,
  type WebhookRequest,
} from '../../fixtures/intake/requests';
import { startTestApp, type TestApp } from '../../support/app';

/** Whatever arrives, correctly signed or not, the intake answers 2xx or 4xx — never a 5xx. */
describe('intake robustness', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ ...INTAKE_SECRETS, GITHUB_TOKEN: 'unused', INTAKE_MAX_BODY_BYTES: '16384' });
  });
  afterAll(() => app?.stop());

  const signers: Array<(body: string) => WebhookRequest> = [
    (body) => genericRequest(body),
    (body) => trufflehogRequest(body),
    (body) => gitguardianRequest(body),
    (body) => awsHealthRequest(body),
    (body) => githubRequest('secret_scanning_alert', body),
    (body) => githubRequest('secret_scanning_alert_location', body),
    (body) => ({ ...genericRequest(body), headers: { 'content-type': 'text/plain' } }),
    (body) => ({ ...githubRequest('secret_scanning_alert', body), path: '/webhooks/github/../gitguardian' }),
  ];

  // JSON that resembles each source's payload, so parsing gets past JSON.parse and into zod.
  const body = fc.oneof(
    fc.string(),
    fc.json(),
    fc
      .record({ action: fc.string(), alert: fc.anything(), repository: fc.anything(), incident: fc.anything() })
      .map((v) => JSON.stringify(v)),
    fc
      .record({ id: fc.string(), detectedAt: fc.string(), identifiers: fc.anything(), value: fc.anything() })
      .map((v) => JSON.stringify(v)),
    fc
      .record({ source: fc.constant('aws.health'), account: fc.string(), detail: fc.anything() })
      .map((v) => JSON.stringify(v)),
    fc
      .array(
        fc.record({
          SourceMetadata: fc.anything(),
          DetectorName: fc.string(),
          Verified: fc.boolean(),
          Raw: fc.string(),
        }),
        { maxLength: 4 },
      )
      .map((rows) => rows.map((r) => JSON.stringify(r)).join('\n')),
  );

  it('never answers 5xx to random bodies on any source', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: signers.length - 1 }), body, async (signer, text) => {
        const response = await post(app.baseUrl, signers[signer]!(text));
        expect(response.status).toBeLessThan(500);
        expect(response.status).toBeGreaterThanOrEqual(200);
      }),
      { numRuns: 300 },
    );
  });
});
