/**
 * One error taxonomy for the whole product. Activities map provider and store failures to these
 * codes; the code becomes the `type` of the ApplicationFailure, so retry decisions never depend on
 * class names.
 */
export const ERROR_CODES = {
  invalidInput: 'INVALID_INPUT',
  notFound: 'NOT_FOUND',
  permissionDenied: 'PERMISSION_DENIED',
  conflict: 'CONFLICT',
  rateLimited: 'RATE_LIMITED',
  providerUnavailable: 'PROVIDER_UNAVAILABLE',
  configuration: 'CONFIGURATION',
  /** A failure nobody mapped (a bug, an unexpected library error): retried, and named, never a class name. */
  unexpected: 'UNEXPECTED',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Codes that no retry can fix: the workflow must hear about them at once. */
export const NON_RETRYABLE_CODES: readonly ErrorCode[] = [
  ERROR_CODES.invalidInput,
  ERROR_CODES.notFound,
  ERROR_CODES.permissionDenied,
  ERROR_CODES.conflict,
  ERROR_CODES.configuration,
];

export class TourniquetError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For RATE_LIMITED: how long the provider asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TourniquetError';
  }

  get retryable(): boolean {
    return !NON_RETRYABLE_CODES.includes(this.code);
  }
}

export const invalidInput = (message: string) => new TourniquetError(ERROR_CODES.invalidInput, message);
export const notFound = (message: string) => new TourniquetError(ERROR_CODES.notFound, message);
export const permissionDenied = (message: string) => new TourniquetError(ERROR_CODES.permissionDenied, message);
export const conflict = (message: string) => new TourniquetError(ERROR_CODES.conflict, message);
export const rateLimited = (message: string, retryAfterMs?: number) =>
  new TourniquetError(ERROR_CODES.rateLimited, message, retryAfterMs);
export const providerUnavailable = (message: string) => new TourniquetError(ERROR_CODES.providerUnavailable, message);
export const configurationError = (message: string) => new TourniquetError(ERROR_CODES.configuration, message);
