import { LoopbackFake, type FakeRequest, type FakeReply } from './loopback-server';

export interface FakeEntity {
  kind: string;
  namespace?: string;
  name: string;
  owner?: string;
  annotations?: Record<string, string>;
  memberOf?: string[];
  email?: string;
}

/**
 * Backstage's catalog API as documented: `GET /api/catalog/entities/by-query` with `filter`
 * (`key=value` pairs, comma-joined) and `fields`, answering `{ items, totalItems, pageInfo }`;
 * pages of `pageSize` entities follow `pageInfo.nextCursor` (opaque; here base64 JSON).
 */
export class FakeBackstage extends LoopbackFake {
  entities: FakeEntity[] = [];

  constructor(private readonly pageSize = 1) {
    super((request) => this.answer(request));
  }

  private answer(request: FakeRequest): FakeReply {
    const url = new URL(request.path, 'http://backstage.invalid');
    if (request.method !== 'GET' || url.pathname !== '/api/catalog/entities/by-query') return { status: 404, body: {} };
    const cursor = url.searchParams.get('cursor');
    const state = cursor
      ? (JSON.parse(Buffer.from(cursor, 'base64').toString()) as { filter: string; offset: number })
      : { filter: url.searchParams.get('filter') ?? '', offset: 0 };
    const matching = this.entities.filter((entity) => matches(entity, state.filter));
    const page = matching.slice(state.offset, state.offset + this.pageSize);
    const next = state.offset + this.pageSize < matching.length;
    return {
      status: 200,
      body: {
        items: page.map(render),
        totalItems: matching.length,
        pageInfo: next
          ? {
              nextCursor: Buffer.from(JSON.stringify({ ...state, offset: state.offset + this.pageSize })).toString(
                'base64',
              ),
            }
          : {},
      },
    };
  }
}

function matches(entity: FakeEntity, filter: string): boolean {
  return filter.split(',').every((pair) => {
    const [key, value] = pair.split('=') as [string, string];
    const wanted = value.toLowerCase();
    if (key === 'kind') return entity.kind.toLowerCase() === wanted;
    if (key === 'metadata.namespace') return (entity.namespace ?? 'default').toLowerCase() === wanted;
    if (key === 'metadata.name') return entity.name.toLowerCase() === wanted;
    if (key === 'relations.memberof') return (entity.memberOf ?? []).some((group) => group.toLowerCase() === wanted);
    return false;
  });
}

function render(entity: FakeEntity) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: entity.kind,
    metadata: { name: entity.name, namespace: entity.namespace ?? 'default', annotations: entity.annotations ?? {} },
    spec: {
      ...(entity.owner ? { owner: entity.owner } : {}),
      ...(entity.email ? { profile: { email: entity.email } } : {}),
    },
  };
}
