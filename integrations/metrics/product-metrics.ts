import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import definitions from './metrics.json';

/** Seconds buckets for people-paced milestones: a minute to a week. */
const HUMAN_BUCKETS = [10, 30, 60, 120, 300, 600, 1_800, 3_600, 4 * 3_600, 12 * 3_600, 86_400, 3 * 86_400, 7 * 86_400];
/** Seconds buckets for calls and appends: a millisecond to a minute. */
const CALL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const BUCKETS = { human: HUMAN_BUCKETS, calls: CALL_BUCKETS };

/** The incident milestones timed from `incident.opened`, each a histogram `tourniquet_time_to_<m>_seconds`. */
export const MILESTONES = ['decide', 'contain', 'prove_death', 'verify', 'close'] as const;
export type Milestone = (typeof MILESTONES)[number];

interface Definition {
  name: string;
  help: string;
  labels: string[];
}

/**
 * The product's Prometheus metrics, in a registry of their own (plus Node's default process
 * metrics). Each metric's name, help and labels are in metrics.json, the list docs/operating.md
 * describes. Labels are bounded: sources, tiers, teams, provider kinds, operations, outcomes and
 * roles — never a person, a secret id or an incident id.
 */
export class ProductMetrics {
  readonly registry = new Registry();

  readonly incidentsOpened = this.counter('incidentsOpened');
  readonly incidentsClosed = this.counter('incidentsClosed');
  readonly intakeDeliveries = this.counter('intakeDeliveries');
  readonly providerCalls = this.counter('providerCalls');
  readonly notifications = this.counter('notifications');

  readonly openIncidents = this.gauge('openIncidents');
  readonly openIncidentsOverdue = this.gauge('openIncidentsOverdue');
  readonly buildInfo = this.gauge('buildInfo');

  readonly providerCallSeconds = this.histogram('providerCallSeconds');
  readonly evidenceAppendSeconds = this.histogram('evidenceAppendSeconds');
  readonly httpRequestSeconds = this.histogram('httpRequestSeconds');
  readonly timeTo = Object.fromEntries(
    MILESTONES.map((milestone) => [
      milestone,
      this.histogram('timeTo', {
        name: `tourniquet_time_to_${milestone}_seconds`,
        help: `Seconds from incident.opened to the evidence that marks "${milestone}", by tier and owner team.`,
      }),
    ]),
  ) as Record<Milestone, Histogram<string>>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text for GET /metrics. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // Each metric is registered in this registry only (a process may hold several, e.g. in tests).
  private counter(key: keyof typeof definitions.counters): Counter<string> {
    return new Counter({ ...this.options(definitions.counters[key]), registers: [this.registry] });
  }

  private gauge(key: keyof typeof definitions.gauges): Gauge<string> {
    return new Gauge({ ...this.options(definitions.gauges[key]), registers: [this.registry] });
  }

  private histogram(key: keyof typeof definitions.histograms, named?: Omit<Definition, 'labels'>): Histogram<string> {
    const definition = definitions.histograms[key];
    const buckets = BUCKETS[definition.buckets as keyof typeof BUCKETS];
    if (!buckets)
      throw new Error(`metrics.json: histogram ${key} has buckets "${definition.buckets}"; use human or calls`);
    return new Histogram({ ...this.options({ ...definition, ...named }), buckets, registers: [this.registry] });
  }

  private options({ name, help, labels }: Definition): { name: string; help: string; labelNames: string[] } {
    return { name, help, labelNames: labels };
  }
}

/** Seconds between two ISO instants, never negative. */
export function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1_000);
}
