import { z } from 'zod';
import { fetchProvider, httpFailure, readJson } from '../shared/http';
import type { OnCallAnswer, OnCallDirectory } from '../ports';

const OnCallsSchema = z.object({ data: z.object({ onCallRecipients: z.array(z.string()).default([]) }) });

export interface OpsgenieQuery {
  scheduleId: string;
  backupScheduleId?: string;
}

/**
 * Who is on call in Opsgenie: `GET /v2/schedules/{id}/on-calls?flat=true` answers the recipients'
 * usernames (their emails). The schedule decides; the backup schedule, when set, backs up. Atlassian
 * has announced the end of Opsgenie's API (2027-04-05), so this adapter stays deliberately small.
 */
export class OpsgenieOnCall implements OnCallDirectory<OpsgenieQuery> {
  readonly source = 'opsgenie' as const;

  constructor(private readonly options: { baseUrl: string; apiKey: string }) {}

  async onCall(query: OpsgenieQuery): Promise<OnCallAnswer> {
    const schedules = [query.scheduleId, ...(query.backupScheduleId ? [query.backupScheduleId] : [])];
    const levels = [];
    const requests = [];
    for (const [index, id] of schedules.entries()) {
      const path = `/v2/schedules/${encodeURIComponent(id)}/on-calls?flat=true`;
      requests.push(`GET ${path}`);
      const response = await fetchProvider('opsgenie', 'list on-calls', `${this.options.baseUrl}${path}`, {
        headers: { authorization: `GenieKey ${this.options.apiKey}` },
        timeoutMs: 10_000,
      });
      const body = await readJson('opsgenie', 'list on-calls', response);
      if (!response.ok) throw httpFailure('opsgenie', 'list on-calls', response.status, response.headers);
      const emails = OnCallsSchema.parse(body).data.onCallRecipients.map((email) => email.toLowerCase());
      levels.push({ level: index + 1, emails });
    }
    return { request: requests.join(' + '), levels };
  }
}
