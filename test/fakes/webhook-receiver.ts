import {
  signatureProblem,
  signedHeaders,
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '../../integrations/webhook-provider/signing';
import { LoopbackFake, type FakeReply, type FakeRequest } from './loopback-server';

/**
 * A team's endpoint as docs/providers.md describes it: checks Tourniquet's signature, treats a
 * repeated Idempotency-Key as the same call (`already-done`), and signs its answer. `answer`
 * decides the body per request; `signAnswers = false` plays an endpoint (or proxy) that does not sign.
 */
export class FakeWebhookReceiver extends LoopbackFake {
  readonly seenKeys = new Set<string>();
  signAnswers = true;
  answer: (payload: Record<string, unknown>) => Record<string, unknown> = () => ({ status: 'done' });

  constructor(private readonly key: string) {
    super((request) => this.route(request));
  }

  private route(request: FakeRequest): FakeReply {
    const problem = unsignedRequest(this.key, request);
    if (problem) return problem;
    const idempotencyKey = header(request, IDEMPOTENCY_HEADER) ?? '';
    const payload = JSON.parse(request.body) as Record<string, unknown>;
    const repeated = this.seenKeys.has(idempotencyKey);
    this.seenKeys.add(idempotencyKey);
    const answer = { ...this.answer(payload), ...(repeated ? { status: 'already-done' } : {}) };
    const body = JSON.stringify(answer);
    return { status: 200, body, headers: this.signAnswers ? signedHeaders(this.key, body) : {} };
  }
}

/** A 401 reply when the request is not signed with `key` as docs/providers.md says; undefined when it is. */
export function unsignedRequest(key: string, request: FakeRequest): FakeReply | undefined {
  const problem = signatureProblem(
    key,
    header(request, TIMESTAMP_HEADER),
    header(request, SIGNATURE_HEADER),
    request.body,
  );
  return problem ? { status: 401, body: { error: problem } } : undefined;
}

export function header(request: FakeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
