import { ERROR_CODES } from '../../../domain/errors';
import {
  createDeliveries,
  createDependentControllers,
  createExternalProviders,
} from '../../../integrations/providers-index';
import { mapAwsError } from '../../../integrations/shared/aws-errors';
import { retryAfterMs } from '../../../integrations/shared/http';
import { parseConfig } from '../../../workers/config';

const awsError = (name: string, status: number, fault: 'client' | 'server' = 'client') =>
  Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });

describe('provider error mapping', () => {
  it.each([
    ['Throttling', 400, ERROR_CODES.rateLimited, true],
    ['AccessDenied', 403, ERROR_CODES.permissionDenied, false],
    ['NoSuchEntityException', 404, ERROR_CODES.notFound, false],
    ['LimitExceededException', 409, ERROR_CODES.conflict, false],
    ['ValidationError', 400, ERROR_CODES.invalidInput, false],
    ['ServiceFailure', 500, ERROR_CODES.providerUnavailable, true],
  ])('maps AWS %s (HTTP %d) to %s', (name, status, code, retryable) => {
    const mapped = mapAwsError(
      'aws-iam-access-key',
      'UpdateAccessKey',
      awsError(name, status, status >= 500 ? 'server' : 'client'),
    );
    expect(mapped).toMatchObject({ code, retryable });
    expect(mapped.message).toContain('UpdateAccessKey');
  });

  it('treats a network failure without an HTTP answer as retryable', () => {
    expect(mapAwsError('aws-secrets-manager', 'PutSecretValue', new Error('ECONNREFUSED'))).toMatchObject({
      code: ERROR_CODES.providerUnavailable,
    });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '12' }))).toBe(12_000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

describe('providers index', () => {
  it('builds one adapter per kind from the parsed configuration', () => {
    const config = parseConfig({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
    expect(createExternalProviders(config).map((p) => p.kind)).toEqual([
      'aws-iam-access-key',
      'aws-secrets-manager',
      'github-token',
      'slack-token',
      'vault',
      'webhook',
    ]);
    expect(createDeliveries(config).map((d) => d.kind)).toEqual(['aws-secrets-manager']);
    expect(createDependentControllers(config).map((c) => c.kind)).toEqual(['webhook', 'manual', 'lambda', 'ecs']);
  });
});
