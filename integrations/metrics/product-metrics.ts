import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds buckets for people-paced milestones: a minute to a week. */
const HUMAN_BUCKETS = [10, 30, 60, 120, 300, 600, 1_800, 3_600, 4 * 3_600, 12 * 3_600, 86_400, 3 * 86_400, 7 * 86_400];
/** Seconds buckets for calls and appends: a millisecond to a minute. */
const CALL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The incident milestones timed from `incident.opened`, each a histogram `tourniquet_time_to_<m>_seconds`. */
export const MILESTONES = ['decide', 'contain', 'prove_death', 'verify', 'close'] as const;
export type Milestone = (typeof MILESTONES)[number];

const INCIDENT_LABELS = ['tier', 'owner_team'] as const;

/**
 * The product's Prometheus metrics, in a registry of their own (plus Node's default process
 * metrics). Labels are bounded: sources, tiers, teams, provider kinds, operations, outcomes and
 * roles — never a person, a secret id or an incident id.
 */
export class ProductMetrics {
  readonly registry = new Registry();

  readonly incidentsOpened = this.counter(
    'tourniquet_incidents_opened_total',
    'Incidents opened (evidence incident.opened), by intake source, tier and owner team.',
    ['source', ...INCIDENT_LABELS],
  );
  readonly incidentsClosed = this.counter(
    'tourniquet_incidents_closed_total',
    'Incidents closed (evidence incident.closed), by outcome, tier and owner team.',
    ['outcome', ...INCIDENT_LABELS],
  );
  readonly timeTo: Record<Milestone, Histogram<string>> = Object.fromEntries(
    MILESTONES.map((milestone) => [
      milestone,
      this.histogram(
        `tourniquet_time_to_${milestone}_seconds`,
        `Seconds from incident.opened to the evidence that marks "${milestone}", by tier and owner team.`,
        [...INCIDENT_LABELS],
        HUMAN_BUCKETS,
      ),
    ]),
  ) as Record<Milestone, Histogram<string>>;
  readonly openIncidents = this.gauge(
    'tourniquet_open_incidents',
    'Open incidents by phase and by the role they wait on, read from the evidence at scrape time.',
    ['phase', 'waiting_on'],
  );
  readonly openIncidentsOverdue = this.gauge(
    'tourniquet_open_incidents_overdue',
    "Open incidents waiting past their policy's window (decision, backup, manual handoff), by phase, role and tier.",
    ['phase', 'waiting_on', 'tier'],
  );
  readonly intakeDeliveries = this.counter(
    'tourniquet_intake_deliveries_total',
    'Webhook deliveries by source and result (accepted, duplicate, ignored, or the 4xx/5xx reason).',
    ['source', 'result'],
  );
  readonly providerCalls = this.counter(
    'tourniquet_provider_calls_total',
    'Calls to credential providers, deliveries and dependent controllers, by outcome (ok or error code).',
    ['provider', 'operation', 'outcome'],
  );
  readonly providerCallSeconds = this.histogram(
    'tourniquet_provider_call_duration_seconds',
    'Latency of provider calls.',
    ['provider', 'operation', 'outcome'],
    CALL_BUCKETS,
  );
  readonly notifications = this.counter(
    'tourniquet_notifications_total',
    'Notification deliveries by kind and outcome (delivered, failed).',
    ['kind', 'outcome'],
  );
  readonly evidenceAppendSeconds = this.histogram(
    'tourniquet_evidence_append_duration_seconds',
    'Latency of evidence appends, by outcome (ok, error).',
    ['outcome'],
    CALL_BUCKETS,
  );
  readonly httpRequestSeconds = this.histogram(
    'tourniquet_http_request_duration_seconds',
    'HTTP requests (API, webhooks, Slack, audit) by method, route pattern and status code.',
    ['method', 'route', 'status'],
    CALL_BUCKETS,
  );
  readonly buildInfo = this.gauge(
    'tourniquet_build_info',
    'Always 1: the version, worker deployment and build id of this process.',
    ['version', 'deployment', 'build_id'],
  );

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
  private counter(name: string, help: string, labelNames: readonly string[]): Counter<string> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: readonly string[]): Gauge<string> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram(name: string, help: string, labelNames: readonly string[], buckets: number[]): Histogram<string> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}

/** Seconds between two ISO instants, never negative. */
export function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1_000);
}
