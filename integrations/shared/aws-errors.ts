import { ERROR_CODES, TourniquetError, type ErrorCode } from '../../domain/errors';
import { codeOfHttpStatus } from './http';

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
  const code = codeOfAwsError(name, status, aws.$fault);
  const wait = code === ERROR_CODES.rateLimited ? AWS_THROTTLE_WAIT_MS : undefined;
  const advice = AWS_ADVICE[code];
  return new TourniquetError(code, advice ? `${what}; ${advice}` : what, wait);
}

/** What to tell the operator per code (none for a conflict: the message says it). */
const AWS_ADVICE: Partial<Record<ErrorCode, string>> = {
  RATE_LIMITED: 'will retry',
  PERMISSION_DENIED: 'grant the remediation principal the policy in docs/providers.md',
  NOT_FOUND: 'check the catalog locator',
  PROVIDER_UNAVAILABLE: 'will retry',
  INVALID_INPUT: 'check the catalog locator',
};

/** The code of an AWS error: by its name where AWS names it, else by its HTTP status (none or 5xx: retryable). */
function codeOfAwsError(name: string, status: number | undefined, fault: AwsErrorLike['$fault']): ErrorCode {
  if (THROTTLING.has(name) || status === 429) return ERROR_CODES.rateLimited;
  if (DENIED.has(name) || status === 403) return ERROR_CODES.permissionDenied;
  if (MISSING.has(name) || status === 404) return ERROR_CODES.notFound;
  if (CONFLICTS.has(name) || status === 409) return ERROR_CODES.conflict;
  if (fault === 'server' || status === undefined) return ERROR_CODES.providerUnavailable;
  return codeOfHttpStatus(status);
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
