import { randomBytes } from 'node:crypto';
import { LoopbackFake, type FakeReply, type FakeRequest } from './loopback-server';

/**
 * The Vault HTTP API endpoints Tourniquet calls (developer.hashicorp.com/vault/api-docs):
 * sys/leases/lookup|revoke|revoke-prefix, auth/token/lookup-accessor|revoke-accessor,
 * <mount>/static-creds|rotate-role. Requests need X-Vault-Token; errors are `{ errors: [...] }`
 * with the statuses Vault uses (400 invalid lease/accessor, 403 permission denied).
 */
export class FakeVaultApi extends LoopbackFake {
  readonly leases = new Set<string>();
  readonly accessors = new Set<string>();
  readonly staticRoles = new Map<string, { password: string; rotatedAt: string }>();

  constructor(readonly rootToken: string) {
    super((request) => this.route(request));
  }

  private route(request: FakeRequest): FakeReply {
    if (request.headers['x-vault-token'] !== this.rootToken)
      return { status: 403, body: { errors: ['permission denied'] } };
    const body = request.body ? (JSON.parse(request.body) as Record<string, string>) : {};
    const [path, query] = request.path.replace(/^\/v1\//, '').split('?');
    if (path === 'sys/leases/lookup' && request.method === 'PUT')
      return this.leases.has(body.lease_id ?? '')
        ? { status: 200, body: { data: { id: body.lease_id } } }
        : { status: 400, body: { errors: ['invalid lease'] } };
    if (path === 'sys/leases/revoke' && request.method === 'PUT') return this.drop(this.leases, body.lease_id ?? '');
    if (path?.startsWith('sys/leases/revoke-prefix/') && request.method === 'PUT') {
      const prefix = path.slice('sys/leases/revoke-prefix/'.length);
      [...this.leases].filter((lease) => lease.startsWith(prefix)).forEach((lease) => this.leases.delete(lease));
      return { status: 204 };
    }
    if (path?.startsWith('sys/leases/lookup/') && query === 'list=true') {
      const prefix = path.slice('sys/leases/lookup/'.length);
      const keys = [...this.leases]
        .filter((lease) => lease.startsWith(prefix))
        .map((lease) => lease.slice(prefix.length));
      return keys.length ? { status: 200, body: { data: { keys } } } : { status: 404, body: { errors: [] } };
    }
    if (path === 'auth/token/lookup-accessor')
      return this.accessors.has(body.accessor ?? '')
        ? { status: 200, body: { data: { accessor: body.accessor } } }
        : { status: 400, body: { errors: ['invalid accessor'] } };
    if (path === 'auth/token/revoke-accessor') return this.drop(this.accessors, body.accessor ?? '');
    return this.staticRole(request.method, path ?? '');
  }

  private staticRole(method: string, path: string): FakeReply {
    const match = /^([\w-]+)\/(static-creds|rotate-role)\/([\w-]+)$/.exec(path);
    const role = match && this.staticRoles.get(match[3]!);
    if (!match || !role) return { status: 404, body: { errors: [] } };
    if (match[2] === 'static-creds' && method === 'GET')
      return {
        status: 200,
        body: { data: { username: match[3], password: role.password, last_vault_rotation: role.rotatedAt } },
      };
    if (match[2] === 'rotate-role' && method === 'POST') {
      this.staticRoles.set(match[3]!, {
        password: randomBytes(18).toString('base64url'),
        rotatedAt: new Date().toISOString(),
      });
      return { status: 204 };
    }
    return { status: 405, body: { errors: ['unsupported operation'] } };
  }

  /** Vault answers 204 to revoking what is already gone, which is what makes revoke retry-safe. */
  private drop(set: Set<string>, id: string): FakeReply {
    set.delete(id);
    return { status: 204 };
  }
}
