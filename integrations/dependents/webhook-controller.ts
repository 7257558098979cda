import { z } from 'zod';
import type { Dependent } from '../../domain/catalog';
import type { ProviderAnswer } from '../../domain/evidence';
import { invalidInput } from '../../domain/errors';
import type { DependentController } from '../ports';
import { providerAnswer } from '../shared/answer';
import { postSigned } from '../webhook-provider/signed-client';

const KIND = 'webhook';

/** Catalog `target` of a dependent with `controller: webhook`. */
export const WebhookDependentTargetSchema = z.strictObject({
  url: z.string().url('the endpoint that stops and starts the workload'),
});

const AnswerSchema = z.object({
  status: z.enum(['done', 'already-done']),
  reference: z.string().max(200).optional(),
  summary: z.string().max(500).optional(),
});

/**
 * Stops and restarts a workload through its owner's endpoint. Request: signed POST (see
 * webhook-provider/signing.ts) of `{ action: "disable" | "enable", incidentId, dependentId }`
 * with `Idempotency-Key: <incidentId>:<dependentId>:<action>`; the answer must be signed and say
 * `done` or `already-done`. Retries are safe when the endpoint honours the idempotency key.
 */
export class WebhookDependentController implements DependentController {
  readonly kind = KIND;

  constructor(private readonly deps: { signingKey: string | undefined; timeoutMs?: number }) {}

  disable(incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    return this.send('disable', incidentId, dependent);
  }

  enable(incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    return this.send('enable', incidentId, dependent);
  }

  private async send(action: 'disable' | 'enable', incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    const parsed = WebhookDependentTargetSchema.safeParse(dependent.target);
    if (!parsed.success)
      throw invalidInput(`dependent ${dependent.id}: target.url: ${parsed.error.issues[0]?.message}`);
    const answer = await postSigned(this.deps.signingKey, {
      provider: `dependent-${KIND}`,
      operation: action,
      url: parsed.data.url,
      idempotencyKey: `${incidentId}:${dependent.id}:${action}`,
      answerSchema: AnswerSchema,
      timeoutMs: this.deps.timeoutMs,
      payload: { action, incidentId, dependentId: dependent.id },
    });
    const summary = answer.summary ?? `${dependent.id}: ${action} ${answer.status}`;
    return providerAnswer(`dependent-${KIND}`, action, summary, {
      answerId: answer.reference,
      alreadyDone: answer.status === 'already-done',
    });
  }
}
