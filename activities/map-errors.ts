import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { ERROR_CODES, TourniquetError } from '../domain/errors';

/**
 * Runs an activity body and turns taxonomy errors into ApplicationFailures whose `type` is the
 * error code, so the workflow's retry policy (nonRetryableErrorTypes) decides by code, never by
 * class name. A provider's Retry-After becomes the next retry delay. Anything else (a bug, a
 * library error nobody mapped) becomes UNEXPECTED, retryable, its message kept; cancellation and
 * failures already typed pass through.
 */
export async function mappingErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TourniquetError) {
      throw ApplicationFailure.create({
        type: error.code,
        message: error.message,
        nonRetryable: !error.retryable,
        nextRetryDelay: error.retryAfterMs,
      });
    }
    if (error instanceof ApplicationFailure || error instanceof CancelledFailure) throw error;
    throw ApplicationFailure.create({
      type: ERROR_CODES.unexpected,
      message: error instanceof Error ? error.message : String(error),
      nonRetryable: false,
    });
  }
}
