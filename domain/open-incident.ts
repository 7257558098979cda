import type { AlertSource, Sighting } from './incident';

/** What every intake (HTTP API, Slack, webhooks) hands over to open an incident or add a sighting. */
export interface OpenIncidentCommand {
  /** Catalog secret id, when the reporter knows it. */
  secretId?: string;
  /** Strings that may name a catalog secret: an AWS key id, a database role, a token type. */
  identifiers?: string[];
  /** The leaked value: fingerprinted and sealed here, then forgotten. Never stored in clear. */
  leakedValue?: string;
  description?: string;
  providerHint?: string;
  sighting: Sighting;
}

export interface OpenIncidentResult {
  incidentId: string;
  workflowId: string;
  secretId: string | null;
}

/** Everything the intake workflow needs to fetch one alert: plain JSON, no secret. */
export interface GithubAlertRef {
  deliveryId: string;
  event: 'secret_scanning_alert' | 'secret_scanning_alert_location';
  action: string;
  owner: string;
  repo: string;
  alertNumber: number;
  receivedAt: string;
  /** Where the webhook said it was found (location events), as a link. */
  location?: string;
  repositoryPublic: boolean;
  publiclyLeaked: boolean;
  resolved: boolean;
}

/** One accepted webhook delivery, kept so a redelivery is dropped. */
export interface DeliveryRecord {
  source: AlertSource;
  deliveryId: string;
  workflowId: string;
  incidentId: string;
  campaign?: string;
}
