import type { ProviderAnswer } from '../../domain/evidence';

/** Builds the evidence record of one provider call; `at` is the worker's clock at the answer. */
export function providerAnswer(
  provider: string,
  operation: string,
  summary: string,
  extra: { answerId?: string; alreadyDone?: boolean } = {},
): ProviderAnswer {
  return {
    provider,
    operation,
    summary,
    ...(extra.answerId ? { answerId: extra.answerId } : {}),
    ...(extra.alreadyDone ? { alreadyDone: true } : {}),
    at: new Date().toISOString(),
  };
}
