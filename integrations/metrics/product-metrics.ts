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

  readonly incidentsOpened = new Counter({
    name: 'tourniquet_incidents_opened_total',
    help: 'Incidents opened (evidence incident.opened), by intake source, tier and owner team.',
    labelNames: ['source', ...INCIDENT_LABELS],
    registers: [this.registry],
  });
  readonly incidentsClosed = new Counter({
    name: 'tourniquet_incidents_closed_total',
    help: 'Incidents closed (evidence incident.closed), by outcome, tier and owner team.',
    labelNames: ['outcome', ...INCIDENT_LABELS],
    registers: [this.registry],
  });
  readonly timeTo: Record<Milestone, Histogram<string>> = Object.fromEntries(
    MILESTONES.map((milestone) => [
      milestone,
      new Histogram({
        name: `tourniquet_time_to_${milestone}_seconds`,
        help: `Seconds from incident.opened to the evidence that marks "${milestone}", by tier and owner team.`,
        labelNames: [...INCIDENT_LABELS],
        buckets: HUMAN_BUCKETS,
        registers: [this.registry],
      }),
    ]),
  ) as Record<Milestone, Histogram<string>>;
  readonly openIncidents = new Gauge({
    name: 'tourniquet_open_incidents',
    help: 'Open incidents by phase and by the role they wait on, read from the evidence at scrape time.',
    labelNames: ['phase', 'waiting_on'],
    registers: [this.registry],
  });
  readonly openIncidentsOverdue = new Gauge({
    name: 'tourniquet_open_incidents_overdue',
    help: "Open incidents waiting past their policy's window (decision, backup, manual handoff), by phase, role and tier.",
    labelNames: ['phase', 'waiting_on', 'tier'],
    registers: [this.registry],
  });
  readonly intakeDeliveries = new Counter({
    name: 'tourniquet_intake_deliveries_total',
    help: 'Webhook deliveries by source and result (accepted, duplicate, ignored, or the 4xx/5xx reason).',
    labelNames: ['source', 'result'],
    registers: [this.registry],
  });
  readonly providerCalls = new Counter({
    name: 'tourniquet_provider_calls_total',
    help: 'Calls to credential providers, deliveries and dependent controllers, by outcome (ok or error code).',
    labelNames: ['provider', 'operation', 'outcome'],
    registers: [this.registry],
  });
  readonly providerCallSeconds = new Histogram({
    name: 'tourniquet_provider_call_duration_seconds',
    help: 'Latency of provider calls.',
    labelNames: ['provider', 'operation', 'outcome'],
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'tourniquet_notifications_total',
    help: 'Notification deliveries by kind and outcome (delivered, failed).',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  readonly evidenceAppendSeconds = new Histogram({
    name: 'tourniquet_evidence_append_duration_seconds',
    help: 'Latency of evidence appends, by outcome (ok, error).',
    labelNames: ['outcome'],
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  readonly httpRequestSeconds = new Histogram({
    name: 'tourniquet_http_request_duration_seconds',
    help: 'HTTP requests (API, webhooks, Slack, audit) by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  readonly buildInfo = new Gauge({
    name: 'tourniquet_build_info',
    help: 'Always 1: the version, worker deployment and build id of this process.',
    labelNames: ['version', 'deployment', 'build_id'],
    registers: [this.registry],
  });

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
}

/** Seconds between two ISO instants, never negative. */
export function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1_000);
}
