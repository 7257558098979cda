import { z } from 'zod';
import { fetchProvider, httpFailure, readJson } from '../shared/http';
import type { OnCallAnswer, OnCallDirectory } from '../ports';

const OnCallsSchema = z.object({
  oncalls: z.array(
    z.object({
      escalation_level: z.number().int(),
      user: z.object({ id: z.string(), summary: z.string().optional(), email: z.string().optional() }),
      schedule: z.object({ id: z.string() }).nullable().optional(),
    }),
  ),
  more: z.boolean().optional(),
});

const ServiceSchema = z.object({ service: z.object({ escalation_policy: z.object({ id: z.string() }) }) });

export interface PagerDutyQuery {
  escalationPolicyIds?: string[];
  scheduleIds?: string[];
  /** A Backstage component's `pagerduty.com/service-id`: its escalation policy is asked. */
  serviceId?: string;
}

/**
 * Who is on call in PagerDuty: `GET /oncalls` with `include[]=users` (so each entry carries the
 * user's email) for the configured escalation policies or schedules. One request per look-up, two
 * when a service id must first be turned into its escalation policy. Read-only; safe to retry.
 */
export class PagerDutyOnCall implements OnCallDirectory<PagerDutyQuery> {
  readonly source = 'pagerduty' as const;

  constructor(private readonly options: { baseUrl: string; token: string }) {}

  async onCall(query: PagerDutyQuery): Promise<OnCallAnswer> {
    const policies = [...(query.escalationPolicyIds ?? [])];
    if (query.serviceId) policies.push(await this.escalationPolicyOf(query.serviceId));
    const params = new URLSearchParams();
    policies.forEach((id) => params.append('escalation_policy_ids[]', id));
    (query.scheduleIds ?? []).forEach((id) => params.append('schedule_ids[]', id));
    params.append('include[]', 'users');
    params.set('limit', '100');
    const path = `/oncalls?${params.toString()}`;
    const body = OnCallsSchema.parse(await this.get('list on-calls', path));
    const levels = new Map<number, string[]>();
    for (const entry of body.oncalls) {
      const email = entry.user.email?.toLowerCase();
      if (!email) continue;
      const list = levels.get(entry.escalation_level) ?? [];
      if (!list.includes(email)) list.push(email);
      levels.set(entry.escalation_level, list);
    }
    const service = query.serviceId ? `GET /services/${query.serviceId} + ` : '';
    return {
      request: `${service}GET ${decodeURIComponent(path)}`,
      levels: [...levels.entries()].sort(([a], [b]) => a - b).map(([level, emails]) => ({ level, emails })),
    };
  }

  private async escalationPolicyOf(serviceId: string): Promise<string> {
    const body = ServiceSchema.parse(await this.get('read service', `/services/${encodeURIComponent(serviceId)}`));
    return body.service.escalation_policy.id;
  }

  private async get(operation: string, path: string): Promise<unknown> {
    const response = await fetchProvider('pagerduty', operation, `${this.options.baseUrl}${path}`, {
      headers: {
        authorization: `Token token=${this.options.token}`,
        accept: 'application/vnd.pagerduty+json;version=2',
      },
      timeoutMs: 10_000,
    });
    const body = await readJson('pagerduty', operation, response);
    if (!response.ok) throw httpFailure('pagerduty', operation, response.status, response.headers);
    return body;
  }
}
