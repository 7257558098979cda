import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Dependent } from '../../domain/catalog';
import type { EvidenceDraft, ProviderAnswer } from '../../domain/evidence';
import {
  canEndSessions,
  canProveDeath,
  canRevoke,
  canRotate,
  type CredentialProvider,
  type CredentialTarget,
  type DependentController,
  type EvidenceStore,
  type IncidentNotification,
  type Notifier,
  type ProviderLookup,
  type ReplacementDelivery,
} from '../ports';
import type { ProductMetrics } from './product-metrics';

/**
 * Decorators that time every provider call and count its outcome (`ok`, `already_done`, or the
 * error's taxonomy code), and count notification deliveries. They wrap ports, so activities and
 * adapters stay unaware of metrics.
 */
export function meteredProviders(lookup: ProviderLookup, metrics: ProductMetrics, tracer?: Tracer): ProviderLookup {
  const observed: Observed = { metrics, tracer };
  return {
    has: (kind) => lookup.has(kind),
    provider: (kind) => meteredProvider(lookup.provider(kind), observed),
    delivery: (kind) => meteredDelivery(lookup.delivery(kind), observed),
    controller: (kind) => meteredController(lookup.controller(kind), observed),
  };
}

interface Observed {
  metrics: ProductMetrics;
  /** When set, each call is also a client span inside the activity's span. */
  tracer?: Tracer;
}

/** Wraps only the capabilities the provider has, so the plan still sees what it really can do. */
function meteredProvider(provider: CredentialProvider, metrics: Observed): CredentialProvider {
  const time = timer(metrics, provider.kind);
  return {
    kind: provider.kind,
    requiresHuman: provider.requiresHuman,
    ...(provider.rotationEffects ? { rotationEffects: provider.rotationEffects } : {}),
    validateLocator: (locator) => provider.validateLocator(locator),
    ...(canRevoke(provider) && {
      revoke: (target: CredentialTarget) => time('revoke', () => provider.revoke(target)),
    }),
    ...(canRotate(provider) && {
      issueReplacement: (target: CredentialTarget) =>
        time('issue_replacement', () => provider.issueReplacement(target)),
      revokeReplacement: (target: CredentialTarget, newValue: string) =>
        time('revoke_replacement', () => provider.revokeReplacement(target, newValue)),
    }),
    ...(canEndSessions(provider) && {
      endDerivedSessions: (target: CredentialTarget) =>
        time('end_derived_sessions', () => provider.endDerivedSessions(target)),
    }),
    ...(canProveDeath(provider) && {
      proveDead: (target: CredentialTarget) => time('prove_dead', () => provider.proveDead(target)),
    }),
  };
}

function meteredDelivery(delivery: ReplacementDelivery, metrics: Observed): ReplacementDelivery {
  const time = timer(metrics, delivery.kind);
  return {
    kind: delivery.kind,
    deliver: (incidentId, target, newValue) => time('deliver', () => delivery.deliver(incidentId, target, newValue)),
    withdraw: (incidentId, target, newValue) => time('withdraw', () => delivery.withdraw(incidentId, target, newValue)),
  };
}

function meteredController(controller: DependentController, metrics: Observed): DependentController {
  const time = timer(metrics, controller.kind);
  return {
    kind: controller.kind,
    disable: (incidentId, dependent: Dependent) => time('disable', () => controller.disable(incidentId, dependent)),
    enable: (incidentId, dependent: Dependent) => time('enable', () => controller.enable(incidentId, dependent)),
  };
}

function timer({ metrics, tracer }: Observed, provider: string) {
  const timed = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      const result = await call();
      if ((result as Partial<ProviderAnswer> | null)?.alreadyDone) outcome = 'already_done';
      return result;
    } catch (error) {
      outcome = errorCode(error);
      throw error;
    } finally {
      const labels = { provider, operation, outcome };
      metrics.providerCalls.inc(labels);
      metrics.providerCallSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  if (!tracer) return timed;
  return <T>(operation: string, call: () => Promise<T>): Promise<T> =>
    tracer.startActiveSpan(`provider ${provider}.${operation}`, async (span) => {
      span.setAttributes({ 'tourniquet.provider': provider, 'tourniquet.operation': operation });
      try {
        return await timed(operation, call);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode(error) });
        throw error;
      } finally {
        span.end();
      }
    });
}

/** The taxonomy code of an error (INVALID_INPUT, RATE_LIMITED...), or `error`: a bounded label. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? code.toLowerCase() : 'error';
}

export function meteredNotifier(notifier: Notifier, metrics: ProductMetrics): Notifier {
  return {
    async notify(notification: IncidentNotification): Promise<void> {
      try {
        await notifier.notify(notification);
        metrics.notifications.inc({ kind: notification.kind, outcome: 'delivered' });
      } catch (error) {
        metrics.notifications.inc({ kind: notification.kind, outcome: 'failed' });
        throw error;
      }
    },
  };
}

/**
 * Times every write to the evidence store (ok or error): a record, or a batch of one incident's
 * records in one transaction. What the records mean is counted by EvidenceMetrics.
 */
export function meteredEvidence<Store extends EvidenceStore>(store: Store, metrics: ProductMetrics): Store {
  const timed =
    <Args extends unknown[], Result>(write: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      const started = process.hrtime.bigint();
      let outcome = 'ok';
      try {
        return await write(...args);
      } catch (error) {
        outcome = 'error';
        throw error;
      } finally {
        metrics.evidenceAppendSeconds.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') return timed((draft: EvidenceDraft) => target.append(draft));
      if (property === 'appendAll') return timed((drafts: EvidenceDraft[]) => target.appendAll(drafts));
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
