import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { conflict, ERROR_CODES, rateLimited } from '../../../domain/errors';
import { mappingErrors } from '../../../activities/map-errors';

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  return mappingErrors(work).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('mappingErrors: every failure leaves an activity with a taxonomy code', () => {
  it('names an unmapped error UNEXPECTED (retryable), never by its class name', async () => {
    const failure = await failureOf(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: ERROR_CODES.unexpected,
      nonRetryable: false,
      message: "Cannot read properties of undefined (reading 'id')",
    });
  });

  it('keeps taxonomy codes, their retryability and the provider Retry-After', async () => {
    expect(await failureOf(async () => Promise.reject(conflict('two keys already')))).toMatchObject({
      type: 'CONFLICT',
      nonRetryable: true,
    });
    expect(await failureOf(async () => Promise.reject(rateLimited('slow down', 7_000)))).toMatchObject({
      type: 'RATE_LIMITED',
      nonRetryable: false,
      nextRetryDelay: 7_000,
    });
  });

  it('lets cancellation and already typed failures through untouched', async () => {
    const cancelled = new CancelledFailure('activity cancelled');
    expect(await failureOf(async () => Promise.reject(cancelled))).toBe(cancelled);
    const typed = ApplicationFailure.create({ type: 'CONFLICT', message: 'typed', nonRetryable: true });
    expect(await failureOf(async () => Promise.reject(typed))).toBe(typed);
  });
});
