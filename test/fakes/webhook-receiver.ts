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
    const problem = signatureProblem(
      this.key,
      header(request, TIMESTAMP_HEADER),
      header(request, SIGNATURE_HEADER),
      request.body,
    );
    if (problem) return { status: 401, body: { error: problem } };
    const idempotencyKey = header(request, IDEMPOTENCY_HEADER) ?? '';
    const payload = JSON.parse(request.body) as Record<string, unknown>;
    const repeated = this.seenKeys.has(idempotencyKey);
    this.seenKeys.add(idempotencyKey);
    const answer = { ...this.answer(payload), ...(repeated ? { status: 'already-done' } : {}) };
    const body = JSON.stringify(answer);
    return { status: 200, body, headers: this.signAnswers ? signedHeaders(this.key, body) : {} };
  }
}

function header(request: FakeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
