import type { z } from 'zod';
import { configurationError, permissionDenied } from '../../domain/errors';
import { fetchProvider, httpFailure, readJson } from '../shared/http';
import { parseProviderAnswer } from '../shared/parse';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signatureProblem, signedHeaders, TIMESTAMP_HEADER } from './signing';

export interface SignedCall<S extends z.ZodType> {
  provider: string;
  operation: string;
  url: string;
  /** Sent as Idempotency-Key: the receiver must treat a repeat as the same request. */
  idempotencyKey: string;
  payload: Record<string, unknown>;
  answerSchema: S;
  timeoutMs?: number;
}

/**
 * POSTs a signed JSON request and returns the parsed answer, but only when the answer itself is
 * signed with the shared key: an unsigned 2xx could come from anything between us and the team
 * (a proxy, a captive portal) and must not count as containment.
 */
export async function postSigned<S extends z.ZodType>(
  key: string | undefined,
  call: SignedCall<S>,
): Promise<z.infer<S>> {
  if (!key) throw configurationError(`${call.provider}: set PROVIDER_WEBHOOK_SIGNING_KEY to sign webhook requests`);
  const body = JSON.stringify(call.payload);
  const response = await fetchProvider(call.provider, call.operation, call.url, {
    method: 'POST',
    body,
    timeoutMs: call.timeoutMs,
    headers: {
      'content-type': 'application/json',
      [IDEMPOTENCY_HEADER]: call.idempotencyKey,
      ...signedHeaders(key, body),
    },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw httpFailure(call.provider, call.operation, response.status, response.headers);
  }
  const text = await response.clone().text();
  const problem = signatureProblem(
    key,
    response.headers.get(TIMESTAMP_HEADER),
    response.headers.get(SIGNATURE_HEADER),
    text,
  );
  if (problem)
    throw permissionDenied(
      `${call.provider} ${call.operation}: the answer from ${new URL(call.url).origin} is not signed (${problem}); the endpoint must sign answers with the shared key`,
    );
  return parseProviderAnswer(
    call.answerSchema,
    call.provider,
    call.operation,
    await readJson(call.provider, call.operation, response),
  );
}
