import { createHash } from 'node:crypto';
import type { Dependent } from '../domain/catalog';
import { Context } from '@temporalio/activity';
import { invalidInput } from '../domain/errors';
import type { ProviderAnswer } from '../domain/evidence';
import type { SecretSnapshot } from '../domain/incident';
import {
  canEndSessions,
  canProveDeath,
  canRevoke,
  canRotate,
  capabilitiesOf,
  type CredentialProvider,
  type CredentialTarget,
  type DeathProof,
} from '../integrations/ports';
import type { ActivityDeps } from './deps';
import { mappingErrors } from './map-errors';

/** What the workflow tells a containment activity: ids and catalog data, never a secret value. */
export interface ContainmentRequest {
  incidentId: string;
  secret: SecretSnapshot;
  /** Handle of the sealed leaked value, for providers whose proof of death needs it. */
  sealedValueHandle?: string;
  purpose?: CredentialTarget['purpose'];
}

export interface DeathProofRequest extends ContainmentRequest {
  /** ISO time after which the activity stops asking and answers what the provider still says. */
  deadline: string;
  /** Pause between checks (default 2 s). */
  intervalMs?: number;
}

export interface ReplacementRequest extends ContainmentRequest {
  replacementHandle: string;
}

/**
 * Provider activities. Each calls one port and maps its errors; adapters check state before they
 * act, so every activity here can run twice with the same effect as once.
 */
export function createContainmentActivities(deps: ActivityDeps) {
  const target = (request: ContainmentRequest): CredentialTarget => ({
    incidentId: request.incidentId,
    secret: request.secret,
    purpose: request.purpose ?? 'contain',
    readLeakedValue: async () => (request.sealedValueHandle ? deps.vault.open(request.sealedValueHandle) : undefined),
  });
  const adapter = (request: ContainmentRequest) => deps.providers.provider(request.secret.provider);
  /** The adapter, narrowed to a capability; a provider without it fails as INVALID_INPUT (never retried). */
  const able = <P extends CredentialProvider>(
    request: ContainmentRequest,
    has: (provider: CredentialProvider) => provider is P,
    what: string,
  ): P => {
    const provider = adapter(request);
    if (has(provider)) return provider;
    throw invalidInput(
      `provider "${provider.kind}" cannot ${what}; it can: ${capabilitiesOf(provider).join(', ') || 'nothing automated'}`,
    );
  };

  return {
    /** Kills the leaked credential at its provider (or only the old one after a rotation). */
    revokeCredential: (request: ContainmentRequest): Promise<ProviderAnswer> =>
      mappingErrors(() => able(request, canRevoke, 'revoke').revoke(target(request))),

    /**
     * Issues a replacement and seals it under a handle derived from the incident, so a retry after
     * a crash finds the sealed replacement instead of issuing a second one.
     */
    issueReplacement: (request: ContainmentRequest): Promise<{ answer: ProviderAnswer; replacementHandle: string }> =>
      mappingErrors(async () => {
        const replacementHandle = `rp_${createHash('sha256').update(`${request.incidentId}\n${request.secret.id}`).digest('hex').slice(0, 32)}`;
        if ((await deps.vault.open(replacementHandle)) !== undefined) {
          return {
            answer: {
              provider: request.secret.provider,
              operation: 'issue-replacement',
              summary: 'replacement already issued',
              alreadyDone: true,
              at: new Date().toISOString(),
            },
            replacementHandle,
          };
        }
        const issued = await able(request, canRotate, 'rotate (issue a replacement)').issueReplacement(target(request));
        await deps.vault.sealAs(replacementHandle, issued.newValue, 'replacement');
        return { answer: issued.answer, replacementHandle };
      }),

    /** Delivers the sealed replacement to where its workloads read it (catalog `delivery`). */
    deliverReplacement: (request: ReplacementRequest): Promise<ProviderAnswer> =>
      mappingErrors(async () => {
        const newValue = await deps.vault.open(request.replacementHandle);
        if (newValue === undefined) throw invalidInput(`replacement ${request.replacementHandle} is no longer sealed`);
        const delivery = request.secret.delivery;
        if (!delivery) {
          return {
            provider: 'vault',
            operation: 'hold-for-pickup',
            summary: 'no delivery target in the catalog: the replacement stays sealed for the issuing team',
            at: new Date().toISOString(),
          };
        }
        return deps.providers.delivery(String(delivery.kind)).deliver(request.incidentId, delivery, newValue);
      }),

    /**
     * Compensation of deliverReplacement: the delivery target goes back to the value it held before.
     * Safe to run when delivery never happened or failed half-way (the adapter checks first).
     */
    withdrawReplacement: (request: ReplacementRequest): Promise<ProviderAnswer> =>
      mappingErrors(async () => {
        const delivery = request.secret.delivery;
        const newValue = await deps.vault.open(request.replacementHandle);
        if (!delivery || newValue === undefined)
          return {
            provider: 'vault',
            operation: 'withdraw',
            summary: delivery ? 'replacement no longer sealed: nothing was delivered' : 'nothing was delivered',
            alreadyDone: true,
            at: new Date().toISOString(),
          };
        let adapter;
        try {
          adapter = deps.providers.delivery(String(delivery.kind));
        } catch {
          return {
            provider: String(delivery.kind),
            operation: 'withdraw',
            summary: `no delivery adapter "${String(delivery.kind)}": nothing was delivered`,
            alreadyDone: true,
            at: new Date().toISOString(),
          };
        }
        return adapter.withdraw(request.incidentId, delivery, newValue);
      }),

    /** Compensation: revokes a replacement issued by a rotation that could not finish. */
    revokeReplacement: (request: ReplacementRequest): Promise<ProviderAnswer> =>
      mappingErrors(async () => {
        const newValue = await deps.vault.open(request.replacementHandle);
        if (newValue === undefined)
          return {
            provider: request.secret.provider,
            operation: 'revoke-replacement',
            summary: 'replacement already destroyed',
            alreadyDone: true,
            at: new Date().toISOString(),
          };
        const answer = await able(request, canRotate, 'revoke a replacement').revokeReplacement(
          target(request),
          newValue,
        );
        await deps.vault.destroy(request.replacementHandle);
        return answer;
      }),

    /** Ends sessions derived from the credential; null when the provider has none. */
    endDerivedSessions: (request: ContainmentRequest): Promise<ProviderAnswer | null> =>
      mappingErrors(async () => {
        const provider = adapter(request);
        return canEndSessions(provider) ? provider.endDerivedSessions(target(request)) : null;
      }),

    /**
     * The one proof-of-death poller: asks the provider until the credential is dead or the
     * request's deadline (the policy's deathProofTimeout) comes, heartbeating after every check so
     * a lost worker is noticed in seconds and a retry resumes the count. Cancellable between checks.
     * Answers `dead: false` with the last checks at the deadline; never throws for "still alive".
     */
    proveCredentialDead: (request: DeathProofRequest): Promise<DeathProof & { attempts: number }> =>
      mappingErrors(async () => {
        const prover = able(request, canProveDeath, 'prove the credential dead');
        const context = Context.current();
        const earlier = context.info.heartbeatDetails as { attempts?: number } | undefined;
        let attempts = earlier?.attempts ?? 0;
        const deadline = Date.parse(request.deadline);
        const intervalMs = request.intervalMs ?? 2_000;
        for (;;) {
          attempts += 1;
          const proof = await prover.proveDead(target(request));
          if (proof.dead) return { ...proof, attempts };
          context.heartbeat({ attempts, checks: proof.checks });
          if (Date.now() + intervalMs >= deadline)
            return { dead: false, settled: false, checks: proof.checks, attempts };
          await context.sleep(intervalMs);
        }
      }),

    disableDependent: (request: { incidentId: string; dependent: Dependent }): Promise<ProviderAnswer> =>
      mappingErrors(() =>
        deps.providers.controller(request.dependent.controller).disable(request.incidentId, request.dependent),
      ),

    enableDependent: (request: { incidentId: string; dependent: Dependent }): Promise<ProviderAnswer> =>
      mappingErrors(() =>
        deps.providers.controller(request.dependent.controller).enable(request.incidentId, request.dependent),
      ),
  };
}
