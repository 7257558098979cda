import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type ExposureEvent, type ExposureReport, periodOf, reportOfEvents, windowOf } from '../../domain/exposure';
import type { ExposureQuery, ExposureSource } from '../ports';
import { fetchProvider, httpFailure, readJson } from '../shared/http';
import { optionalText } from '../shared/parse';

const PROVIDER = 'github-token';
const DAY_MS = 86_400_000;
/** Web (and API) events are kept 180 days, Git events 7 days. */
const RETENTION_MS = 180 * DAY_MS;
const MAX_PAGES = 10;

const AuditEventSchema = z
  .object({
    '@timestamp': z.number(),
    action: z.string(),
    ...optionalText('actor', 'actor_ip', 'user_agent', '_document_id', 'repo'),
  })
  .passthrough();

export interface GitHubAuditLogDeps {
  apiUrl: string;
  /** A token with `read:audit_log` on the organization (never the leaked one). */
  token?: string;
  /** The GitHub Enterprise Cloud organization whose audit log is searched; unset = cannot know. */
  organization?: string;
  baselineMs?: number;
  lateLogsMs?: number;
}

/**
 * The SHA-256 of a token, base64, as GitHub's audit log stores it in `hashed_token`: padded and
 * unpadded, because the search has matched one or the other form over time.
 */
export function hashedTokenForms(token: string): [string, string] {
  const padded = createHash('sha256').update(token, 'utf8').digest('base64');
  return [padded, padded.replace(/=+$/, '')];
}

/**
 * What a GitHub token did, from the organization audit log searched by `hashed_token` (GitHub
 * Enterprise Cloud only). The hash is computed here, inside the activity that opened the sealed
 * value; only the hash leaves. Read-only and safe to retry.
 */
export class GitHubAuditLogExposureSource implements ExposureSource {
  readonly kind = PROVIDER;

  constructor(private readonly deps: GitHubAuditLogDeps) {}

  async report(query: ExposureQuery): Promise<ExposureReport> {
    const now = Date.now();
    const to = new Date(Date.parse(query.containedAt) + (this.deps.lateLogsMs ?? 30 * 60_000));
    const from = new Date(
      Math.max(Date.parse(query.leakedAt) - (this.deps.baselineMs ?? 14 * DAY_MS), now - RETENTION_MS),
    );
    const window = windowOf(query, from, to);
    const read = { source: 'github-audit-log', provider: PROVIDER, secret: query.secret, window, now };
    const base = {
      derivedCredentials: [],
      limits: [
        'GitHub organization audit log, Enterprise Cloud only: web and API events 180 days, Git events (clone, fetch, push) 7 days',
        'audit log events can take a few minutes to appear: the report is re-run once the window has closed',
        'only events inside this organization; what the token did in other organizations or personal repositories is not visible',
      ],
    };
    const token = await query.readLeakedValue();
    if (!this.deps.organization || !this.deps.token || token === undefined) {
      const why = !this.deps.organization
        ? 'no GitHub Enterprise Cloud organization is configured (GITHUB_AUDIT_LOG_ORG)'
        : !this.deps.token
          ? 'no token with read:audit_log is configured'
          : 'the leaked token was not reported with the incident, so its hash cannot be searched';
      return {
        ...reportOfEvents(read, []),
        ...base,
        complete: true,
        cannotKnow: [`Tourniquet cannot know what this token did: ${why}`],
        apiCalls: {},
      };
    }
    const calls: Record<string, number> = {};
    const seen = new Set<string>();
    const events: ExposureEvent[] = [];
    for (const form of hashedTokenForms(token)) {
      for (const raw of await this.search(`hashed_token:"${form}" created:>=${window.from.slice(0, 10)}`, calls)) {
        const key = raw._document_id ?? `${raw['@timestamp']}:${raw.action}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const at = new Date(raw['@timestamp']).toISOString();
        if (at < window.from || at > window.to) continue;
        const period = periodOf(at, query);
        events.push({
          at,
          credential: `token of ${raw.actor ?? 'unknown actor'}`,
          service: 'github',
          action: raw.action,
          ...(raw.repo ? { region: raw.repo } : {}),
          ...(raw.actor_ip ? { sourceIp: raw.actor_ip } : {}),
          ...(raw.user_agent ? { userAgent: raw.user_agent } : {}),
          ...(raw._document_id ? { eventId: raw._document_id } : {}),
          period,
          classification: period === 'before-leak' ? 'baseline' : period,
        });
      }
    }
    return {
      ...reportOfEvents(read, events),
      ...base,
      cannotKnow: [
        'requests GitHub refused (a revoked token) are not in the audit log: refused attempts cannot be counted',
        'source IPs appear only when the organization discloses actor IPs in its audit log',
      ],
      apiCalls: calls,
    };
  }

  /** Every page of one audit-log search, newest first, following the Link header. */
  private async search(
    phrase: string,
    calls: Record<string, number>,
  ): Promise<Array<z.infer<typeof AuditEventSchema>>> {
    const found: Array<z.infer<typeof AuditEventSchema>> = [];
    let url: string | undefined =
      `${this.deps.apiUrl}/orgs/${encodeURIComponent(this.deps.organization!)}/audit-log?` +
      new URLSearchParams({ phrase, include: 'all', per_page: '100', order: 'desc' }).toString();
    for (let page = 0; url && page < MAX_PAGES; page++) {
      calls['github:GET /orgs/{org}/audit-log'] = (calls['github:GET /orgs/{org}/audit-log'] ?? 0) + 1;
      const response = await fetchProvider(PROVIDER, 'audit-log', url, {
        headers: {
          authorization: `Bearer ${this.deps.token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
        },
      });
      if (!response.ok)
        throw httpFailure(PROVIDER, 'audit-log', response.status, response.headers, '', {
          notFound:
            'the organization has no audit log API (GitHub Enterprise Cloud only) or GITHUB_AUDIT_LOG_ORG is wrong',
        });
      const body = z.array(AuditEventSchema).safeParse(await readJson(PROVIDER, 'audit-log', response));
      if (!body.success)
        throw httpFailure(PROVIDER, 'audit-log', 502, response.headers, 'answer is not a list of audit events');
      found.push(...body.data);
      url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    return found;
  }
}
