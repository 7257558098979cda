import { z } from 'zod';
import type { ProviderAnswer } from '../../domain/evidence';
import { invalidInput } from '../../domain/errors';
import type { CredentialTarget, DeathProof, FullCredentialProvider } from '../ports';
import { providerAnswer } from '../shared/answer';
import { postSigned } from './signed-client';

const PROVIDER = 'webhook';

/** Catalog `locator` of a `webhook` secret: the owning team's revocation endpoint. */
export const WebhookLocatorSchema = z.strictObject({
  url: z.string().url('the team endpoint, e.g. https://revoke.payments.internal/tourniquet'),
  /** Send the leaked value in `value` (only to this endpoint) when the team needs it to find the credential. */
  sendValue: z.boolean().default(false),
  /** Reference the team uses for the credential (its own id); sent as `reference`. */
  reference: z.string().max(200).optional(),
});
type WebhookLocator = z.infer<typeof WebhookLocatorSchema>;

const AnswerSchema = z.object({
  status: z.enum(['done', 'already-done']),
  /** The team's own id for the action (ticket, audit id). */
  reference: z.string().max(200).optional(),
  summary: z.string().max(500).optional(),
  /** prove-dead only. */
  dead: z.boolean().optional(),
  checks: z.array(z.string().max(500)).max(20).optional(),
  /** issue-replacement only: the new credential. */
  newValue: z.string().min(1).optional(),
});

type Operation = 'revoke' | 'end-sessions' | 'issue-replacement' | 'revoke-replacement' | 'prove-dead';

/**
 * Contains credentials of systems we have no adapter for, by asking the owning team's endpoint.
 *
 * Request: POST <locator.url>, JSON `{ operation, incidentId, secretId, purpose, reference?,
 * value?, newValue? }`, where operation is revoke | end-sessions | issue-replacement |
 * revoke-replacement | prove-dead; headers `Tourniquet-Timestamp`, `Tourniquet-Signature:
 * v1=<hex HMAC-SHA256(key, timestamp + "." + body)>` and `Idempotency-Key: <incidentId>:<operation>`.
 * Answer: 2xx JSON `{ status: "done" | "already-done", reference?, summary?, dead?, checks?,
 * newValue? }` signed the same way; an unsigned answer is PERMISSION_DENIED, 429 honours
 * Retry-After, 5xx retries. The endpoint must treat a repeated Idempotency-Key as the same call.
 */
export class WebhookCredentialProvider implements FullCredentialProvider {
  readonly kind = PROVIDER;
  readonly requiresHuman = false;

  constructor(private readonly deps: { signingKey: string | undefined; timeoutMs?: number }) {}

  validateLocator(locator: Record<string, unknown>): void {
    this.locatorOf(locator);
  }

  async revoke(target: CredentialTarget): Promise<ProviderAnswer> {
    return this.toAnswer('revoke', await this.call(target, 'revoke'));
  }

  async endDerivedSessions(target: CredentialTarget): Promise<ProviderAnswer | null> {
    return this.toAnswer('endDerivedSessions', await this.call(target, 'end-sessions'));
  }

  async issueReplacement(target: CredentialTarget): Promise<{ answer: ProviderAnswer; newValue: string }> {
    const answer = await this.call(target, 'issue-replacement');
    if (!answer.newValue)
      throw invalidInput(
        `${PROVIDER} issue-replacement: the endpoint answered without newValue; it cannot rotate, choose revoke`,
      );
    return { answer: this.toAnswer('issueReplacement', answer), newValue: answer.newValue };
  }

  async revokeReplacement(target: CredentialTarget, newValue: string): Promise<ProviderAnswer> {
    return this.toAnswer('revokeReplacement', await this.call(target, 'revoke-replacement', { newValue }));
  }

  async proveDead(target: CredentialTarget): Promise<DeathProof> {
    const answer = await this.call(target, 'prove-dead');
    const dead = answer.dead === true;
    return {
      dead,
      checks: answer.checks ?? [`the team endpoint says the credential is ${dead ? 'dead' : 'alive'}`],
    };
  }

  private locatorOf(locator: Record<string, unknown>): WebhookLocator {
    const result = WebhookLocatorSchema.safeParse(locator);
    if (result.success) return result.data;
    throw invalidInput(
      `${PROVIDER}: ${result.error.issues.map((issue) => `locator.${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }

  private async call(target: CredentialTarget, operation: Operation, extra: Record<string, unknown> = {}) {
    const locator = this.locatorOf(target.secret.locator);
    const value = locator.sendValue && operation !== 'issue-replacement' ? await target.readLeakedValue() : undefined;
    return postSigned(this.deps.signingKey, {
      provider: PROVIDER,
      operation,
      url: locator.url,
      idempotencyKey: `${target.incidentId}:${operation}`,
      answerSchema: AnswerSchema,
      timeoutMs: this.deps.timeoutMs,
      payload: {
        operation,
        incidentId: target.incidentId,
        secretId: target.secret.id,
        purpose: target.purpose,
        reference: locator.reference,
        ...(value ? { value } : {}),
        ...extra,
      },
    });
  }

  private toAnswer(operation: string, answer: z.infer<typeof AnswerSchema>): ProviderAnswer {
    const summary = answer.summary ?? `the team endpoint answered ${answer.status}`;
    return providerAnswer(PROVIDER, operation, summary, {
      answerId: answer.reference,
      alreadyDone: answer.status === 'already-done',
    });
  }
}
