import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Dependent } from '../../domain/catalog';
import { conflict, invalidInput } from '../../domain/errors';
import type { ProviderAnswer } from '../../domain/evidence';
import { providerAnswer } from '../shared/answer';
import { callAws } from '../shared/aws-errors';

/** A workload's capacity: a count, or `none` when nothing is reserved (it shares a pool). */
export type Capacity = number | 'none';

/**
 * One cloud workload whose capacity can be set to 0 and back, with a tag on the resource that
 * remembers the capacity it had before (ECS desired count, Lambda reserved concurrency).
 */
export interface TaggedCapacity {
  /** `dependent-ecs`, `dependent-lambda`: names the adapter in answers, logs and errors. */
  readonly provider: string;
  /** The tag key that holds the previous capacity. */
  readonly tag: string;
  /** What the capacity is called: `desired count`, `reserved concurrency`. */
  readonly measure: string;
  /** Whether `none` is a capacity this workload can have (and so a valid tag value). */
  readonly allowsNone: boolean;
  /** The resource's ARN (tags are addressed by ARN), its capacity now and the recorded tag value. */
  read(): Promise<{ arn: string; current: Capacity; recorded: string | undefined }>;
  writeTag(arn: string, value: string): Promise<void>;
  removeTag(arn: string): Promise<void>;
  setCapacity(capacity: Capacity): Promise<void>;
}

/**
 * disable: records the capacity seen before the first disable in the resource's tag, only when no
 * tag is there yet (a retry or a second incident keeps the first value), then sets the capacity to
 * 0. Safe to retry at any point.
 */
export async function disableKeepingCapacity(
  workload: TaggedCapacity,
  incidentId: string,
  dependent: Dependent,
  logger?: Logger,
): Promise<ProviderAnswer> {
  const { provider, measure } = workload;
  const { arn, current, recorded } = await workload.read();
  const kept = recorded ?? String(current);
  const steps: string[] = [];
  if (recorded === undefined) {
    await workload.writeTag(arn, kept);
    steps.push(`recorded previous ${measure} ${kept}`);
  }
  if (current !== 0) {
    await workload.setCapacity(0);
    steps.push(`${measure} set to 0`);
  }
  const alreadyDone = current === 0;
  logger?.info(
    { provider, incidentId, dependentId: dependent.id, arn, previous: kept, alreadyDone },
    'dependent disabled',
  );
  const summary = alreadyDone
    ? `${dependent.id}: ${arn} already at ${measure} 0 (previous ${kept} on record)`
    : `${dependent.id}: ${arn}: ${steps.join(', ')}`;
  return providerAnswer(provider, 'disable', summary, { answerId: arn, alreadyDone });
}

/**
 * enable: puts the recorded capacity back, then removes the tag (last: a retry after a crash finds
 * it and restores again, which changes nothing); without a tag it answers alreadyDone.
 */
export async function enableFromTag(
  workload: TaggedCapacity,
  incidentId: string,
  dependent: Dependent,
  logger?: Logger,
): Promise<ProviderAnswer> {
  const { provider, measure, tag } = workload;
  const { arn, current, recorded } = await workload.read();
  if (recorded === undefined)
    return providerAnswer(provider, 'enable', `${dependent.id}: ${arn} has no ${tag} tag: nothing to restore`, {
      answerId: arn,
      alreadyDone: true,
    });
  const previous = parseRecorded(workload, recorded, arn);
  if (current !== previous) await workload.setCapacity(previous);
  await workload.removeTag(arn);
  logger?.info({ provider, incidentId, dependentId: dependent.id, arn, restored: previous }, 'dependent enabled');
  const restored = previous === 'none' ? `${measure} removed (there was none)` : `${measure} restored to ${previous}`;
  return providerAnswer(provider, 'enable', `${dependent.id}: ${arn}: ${restored}`, { answerId: arn });
}

/** A tag someone edited by hand cannot be restored safely: say so rather than guess. */
function parseRecorded(workload: TaggedCapacity, value: string, arn: string): Capacity {
  if (workload.allowsNone && value === 'none') return 'none';
  if (/^\d{1,9}$/.test(value)) return Number(value);
  const wanted = workload.allowsNone ? `a count or "none"` : `a ${workload.measure}`;
  throw conflict(
    `${workload.provider}: tag ${workload.tag}=${JSON.stringify(value)} on ${arn} is not ${wanted}; set it to the wanted ${workload.measure} and retry`,
  );
}

/** Parses a dependent's catalog target; the error names the field (`target.cluster: ...`) and the fix. */
export function parseDependentTarget<S extends z.ZodType>(
  provider: string,
  schema: S,
  dependent: Dependent,
): z.output<S> {
  const result = schema.safeParse(dependent.target);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `target.${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw invalidInput(`${provider}: dependent ${dependent.id}: ${problems.join('; ')}`);
}

/** One AWS client per region, built on first use by `build` for that region (undefined: the default). */
export function clientsByRegion<Client>(build: (region: string | undefined) => Client): (region?: string) => Client {
  const clients = new Map<string, Client>();
  return (region) => {
    let client = clients.get(region ?? '');
    if (!client) clients.set(region ?? '', (client = build(region)));
    return client;
  };
}

/** What a cloud dependent controller is given: its clients and a logger. */
export interface RegionalControllerDeps<Client> {
  /** A client per region, signed by the remediation principal; undefined means the default region. */
  clientFor(region: string | undefined): Client;
  logger?: Logger;
}

/** What a controller says of all its workloads: the tag, what the capacity is called, whether `none` is one. */
export type CapacityKind = Pick<TaggedCapacity, 'tag' | 'measure' | 'allowsNone'>;

/** The calls that read and change one workload. */
export type CapacityCalls = Pick<TaggedCapacity, 'read' | 'writeTag' | 'removeTag' | 'setCapacity'>;

/**
 * A dependent controller whose workloads stop by setting a capacity to 0 and restart at the capacity a
 * tag recorded (`disableKeepingCapacity`, `enableFromTag`): a subclass says how its target is one.
 */
export abstract class TaggedCapacityController<Client> {
  abstract readonly kind: string;
  protected abstract readonly capacity: CapacityKind;

  constructor(protected readonly deps: RegionalControllerDeps<Client>) {}

  async disable(incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    return disableKeepingCapacity(this.tagged(dependent), incidentId, dependent, this.deps.logger);
  }

  async enable(incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    return enableFromTag(this.tagged(dependent), incidentId, dependent, this.deps.logger);
  }

  /** One AWS call of a workload; its failure is mapped to the error taxonomy, naming this controller. */
  protected call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callAws(this.provider, operation, run);
  }

  protected abstract workload(dependent: Dependent): CapacityCalls;

  /** `dependent-ecs`, `dependent-lambda`. */
  private get provider(): string {
    return `dependent-${this.kind}`;
  }

  private tagged(dependent: Dependent): TaggedCapacity {
    return { provider: this.provider, ...this.capacity, ...this.workload(dependent) };
  }
}
