import type { AlertSource } from '../../domain/incident';
import type { Database } from '../database/database';
import type { DeliveryRecord } from '../../domain/open-incident';

export type { DeliveryRecord } from '../../domain/open-incident';

export interface CampaignMember {
  source: string;
  campaign: string;
  workflowId: string;
  incidentId: string;
  receivedAt: string;
}

/**
 * Accepted webhook deliveries, keyed by source + delivery id. A row is written only after
 * IncidentService.open returned, so a delivery that failed half-way is retried by its sender
 * instead of being remembered as done. Recording twice keeps the first row.
 */
export class SqlDeliveryLog {
  constructor(private readonly database: Database) {}

  /** The delivery ids among `ids` that were already accepted. */
  async known(source: AlertSource, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const result = await this.database.query<{ delivery_id: string }>(
      'SELECT delivery_id FROM webhook_deliveries WHERE source = $1 AND delivery_id = ANY($2::text[])',
      [source, ids],
    );
    return new Set(result.rows.map((row) => row.delivery_id));
  }

  async record(entry: DeliveryRecord): Promise<void> {
    await this.database.query(
      `INSERT INTO webhook_deliveries (source, delivery_id, workflow_id, incident_id, campaign)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source, delivery_id) DO NOTHING`,
      [entry.source, entry.deliveryId, entry.workflowId, entry.incidentId, entry.campaign ?? null],
    );
  }

  /** Deliveries that carried a campaign key since `since`, oldest first. */
  async campaignMembers(since: Date, limit = 20_000): Promise<CampaignMember[]> {
    const result = await this.database.query<{
      source: string;
      campaign: string;
      workflow_id: string;
      incident_id: string;
      received_at: Date | string;
    }>(
      `SELECT source, campaign, workflow_id, incident_id, received_at FROM webhook_deliveries
       WHERE campaign IS NOT NULL AND received_at >= $1 ORDER BY received_at ASC LIMIT $2`,
      [since.toISOString(), limit],
    );
    return result.rows.map((row) => ({
      source: row.source,
      campaign: row.campaign,
      workflowId: row.workflow_id,
      incidentId: row.incident_id,
      receivedAt: new Date(row.received_at).toISOString(),
    }));
  }
}
