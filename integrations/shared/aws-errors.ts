import {
  conflict,
  invalidInput,
  notFound,
  permissionDenied,
  providerUnavailable,
  rateLimited,
  TourniquetError,
} from '../../domain/errors';

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
]);
// ECS answers its "gone" errors with HTTP 400, so they are listed by name rather than read from the status.
const MISSING = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'ResourceNotFoundException',
  'ServiceNotFoundException',
  'ClusterNotFoundException',
  'ServiceNotActiveException',
]);
const CONFLICTS = new Set([
  'LimitExceeded',
  'LimitExceededException',
  'ResourceExistsException',
  'EntityAlreadyExists',
  'InvalidRequestException',
]);

/** The shape of an AWS SDK v3 service exception, read without trusting it. */
interface AwsErrorLike {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** Default wait when AWS throttles: the SDK gives no Retry-After, and IAM throttles per second. */
const AWS_THROTTLE_WAIT_MS = 2_000;

/**
 * Maps an AWS SDK error to the error taxonomy. Already-mapped errors pass through; anything
 * without a recognised code (network, 5xx) is retryable.
 */
export function mapAwsError(provider: string, operation: string, error: unknown): TourniquetError {
  if (error instanceof TourniquetError) return error;
  const aws = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorLike;
  const name = aws.name ?? 'Error';
  const status = aws.$metadata?.httpStatusCode;
  const what = `${provider} ${operation} failed with ${name}${status ? ` (HTTP ${status})` : ''}: ${aws.message ?? ''}`;
  if (THROTTLING.has(name) || status === 429) return rateLimited(`${what}; will retry`, AWS_THROTTLE_WAIT_MS);
  if (DENIED.has(name) || status === 403)
    return permissionDenied(`${what}; grant the remediation principal the policy in docs/providers.md`);
  if (MISSING.has(name) || status === 404) return notFound(`${what}; check the catalog locator`);
  if (CONFLICTS.has(name) || status === 409) return conflict(what);
  if (aws.$fault === 'server' || status === undefined || status >= 500)
    return providerUnavailable(`${what}; will retry`);
  return invalidInput(`${what}; check the catalog locator`);
}

/** The error code name of an AWS SDK error, for check-then-act branches. */
export function awsErrorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as AwsErrorLike).name : undefined;
}

/** Runs one AWS call and maps its failure; keeps each call site a single line. */
export async function callAws<T>(provider: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw mapAwsError(provider, operation, error);
  }
}

/** IAM says NoSuchEntity (SDK v3 names it NoSuchEntityException); Secrets Manager says ResourceNotFoundException. */
export function isAwsNotFound(error: unknown): boolean {
  return MISSING.has(awsErrorName(error) ?? '');
}
