import { z } from 'zod';
import { fetchProvider, httpFailure, readJson } from '../shared/http';
import type { ServiceCatalog, ServiceOwner } from '../ports';

const EntitiesSchema = z.object({
  items: z.array(
    z.object({
      metadata: z.object({
        name: z.string(),
        namespace: z.string().optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      }),
      spec: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  pageInfo: z.object({ nextCursor: z.string().optional() }).optional(),
});

const PAGERDUTY_SERVICE = 'pagerduty.com/service-id';

/**
 * Ownership from a Backstage software catalog: `GET /api/catalog/entities/by-query` finds the
 * entity (its `spec.owner` group and the PagerDuty plugin's service annotation), then the group's
 * members (`relations.memberof`) with their emails, following `cursor` pages. Read-only.
 */
export class BackstageCatalog implements ServiceCatalog {
  constructor(private readonly options: { baseUrl: string; token?: string }) {}

  async ownerOf(entityRef: string): Promise<ServiceOwner> {
    const { kind, namespace, name } = parseRef(entityRef, 'component');
    const requests: string[] = [];
    const [entity] = await this.query(
      { filter: `kind=${kind},metadata.namespace=${namespace},metadata.name=${name}`, fields: 'metadata,spec.owner' },
      requests,
    );
    if (!entity) throw new Error(`backstage: entity ${entityRef} not found`);
    const owner = typeof entity.spec?.owner === 'string' ? entity.spec.owner : undefined;
    if (!owner) throw new Error(`backstage: entity ${entityRef} has no spec.owner`);
    const group = parseRef(owner, 'group', namespace);
    const ownerGroup = `group:${group.namespace}/${group.name}`;
    const members = await this.query(
      { filter: `kind=user,relations.memberof=${ownerGroup}`, fields: 'metadata.name,spec.profile.email' },
      requests,
    );
    const memberEmails = members
      .map((member) => (member.spec?.profile as { email?: unknown } | undefined)?.email)
      .filter((email): email is string => typeof email === 'string')
      .map((email) => email.toLowerCase());
    return {
      entityRef,
      ownerGroup,
      memberEmails,
      pagerDutyServiceId: entity.metadata.annotations?.[PAGERDUTY_SERVICE],
      request: requests.join(' + '),
    };
  }

  private async query(params: { filter: string; fields: string }, requests: string[]) {
    const items: z.infer<typeof EntitiesSchema>['items'] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const search = new URLSearchParams(cursor ? { cursor } : { filter: params.filter, fields: params.fields });
      const path = `/api/catalog/entities/by-query?${search.toString()}`;
      requests.push(`GET ${decodeURIComponent(path)}`);
      const response = await fetchProvider('backstage', 'query entities', `${this.options.baseUrl}${path}`, {
        headers: this.options.token ? { authorization: `Bearer ${this.options.token}` } : {},
        timeoutMs: 10_000,
      });
      const body = await readJson('backstage', 'query entities', response);
      if (!response.ok) throw httpFailure('backstage', 'query entities', response.status, response.headers);
      const parsed = EntitiesSchema.parse(body);
      items.push(...parsed.items);
      cursor = parsed.pageInfo?.nextCursor;
      if (!cursor) break;
    }
    return items;
  }
}

/** `kind:namespace/name`, where kind and namespace may be left out (`payments` = group:default/payments). */
function parseRef(ref: string, defaultKind: string, defaultNamespace = 'default') {
  const match = /^(?:([^:]+):)?(?:([^/]+)\/)?(.+)$/.exec(ref);
  return {
    kind: (match?.[1] ?? defaultKind).toLowerCase(),
    namespace: match?.[2] ?? defaultNamespace,
    name: match?.[3] ?? ref,
  };
}
