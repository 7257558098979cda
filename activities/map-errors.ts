import { ApplicationFailure } from '@temporalio/activity';
import { TourniquetError } from '../domain/errors';

/**
 * Runs an activity body and turns taxonomy errors into ApplicationFailures whose `type` is the
 * error code, so the workflow's retry policy (nonRetryableErrorTypes) decides by code, never by
 * class name. A provider's Retry-After becomes the next retry delay.
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
    throw error;
  }
}
