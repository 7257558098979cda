import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { z } from 'zod';
import { configurationError, invalidInput, permissionDenied } from '../../domain/errors';
import type { ProviderAnswer } from '../../domain/evidence';
import type { SessionSeen } from '../../domain/exposure';
import type { AccessCheck, CredentialTarget, DeathProof, FullCredentialProvider } from '../ports';
import { LOGIN_REFUSED_CODES, mapPostgresError } from './postgres-errors';

/** At most this many sessions are kept in an answer (evidence and workflow history stay bounded). */
const MAX_SESSIONS = 50;

/** pg_stat_activity columns of a session: where it comes from and since when, never its queries. */
export const SESSION_COLUMNS = 'pid, client_addr::text AS client_addr, application_name, backend_start, datname';

export interface SessionRow {
  pid: number;
  client_addr: string | null;
  application_name: string | null;
  backend_start: Date;
  datname: string | null;
}

export function sessionSeen(row: SessionRow): SessionSeen {
  return {
    pid: row.pid,
    backendStart: new Date(row.backend_start).toISOString(),
    ...(row.client_addr ? { clientAddr: row.client_addr.replace(/\/\d+$/, '') } : {}),
    ...(row.application_name ? { applicationName: row.application_name } : {}),
    ...(row.datname ? { database: row.datname } : {}),
  };
}

const PostgresLocatorSchema = z.strictObject({
  /** Name of the setting (environment variable) holding the admin connection URL; never the URL itself. */
  adminUrlSetting: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name such as PAYMENTS_DB_ADMIN_URL'),
  role: z.string().min(1),
  /** Database used for the proof-of-death login; defaults to the admin URL's database. */
  database: z.string().optional(),
});
export type PostgresLocator = z.infer<typeof PostgresLocatorSchema>;

/** The catalog locator of a role, or INVALID_INPUT naming each problem. */
export function parsePostgresLocator(locator: Record<string, unknown>): PostgresLocator {
  const parsed = PostgresLocatorSchema.safeParse(locator);
  if (!parsed.success)
    throw invalidInput(
      `postgres locator: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(locator)'}: ${issue.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The admin connection URL the locator's setting names; CONFIGURATION when it is not set. */
export function adminUrlOf(resolveSetting: (name: string) => string | undefined, locator: PostgresLocator): string {
  const url = resolveSetting(locator.adminUrlSetting);
  if (!url)
    throw configurationError(`setting ${locator.adminUrlSetting} (admin URL for role ${locator.role}) is not set`);
  return url;
}

/** One short admin connection for `work`; errors mapped to the taxonomy, naming what was being done. */
export async function withAdminClient<T>(url: string, doing: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    throw mapPostgresError(error, doing);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * PostgreSQL role passwords. Revoke = NOLOGIN and a fresh random password nobody keeps; a password
 * change alone leaves open sessions working, so endDerivedSessions terminates the role's backends.
 * Proof of death = a login with the old password is refused (28P01/28000) and no session remains.
 * Every statement states the wanted end state, so running a step twice is harmless.
 */
export class PostgresRoleProvider implements FullCredentialProvider, AccessCheck {
  readonly kind = 'postgres';
  readonly requiresHuman = false;
  /** A role has one password: rotating replaces it; undoing locks the role, since the old one is gone. */
  readonly rotationEffects = { oldCredential: 'replaced-in-place', undo: 'lock-credential' } as const;

  constructor(private readonly resolveSetting: (name: string) => string | undefined) {}

  validateLocator(locator: Record<string, unknown>): void {
    parsePostgresLocator(locator);
  }

  accessScope(locator: Record<string, unknown>): string {
    return parsePostgresLocator(locator).adminUrlSetting;
  }

  /** Connects with the admin URL and checks its role may ALTER ROLE (superuser or CREATEROLE). */
  async checkAccess(locator: Record<string, unknown>): Promise<string> {
    const parsed = parsePostgresLocator(locator);
    return this.admin(parsed, `${parsed.adminUrlSetting}: checking admin access`, async (client) => {
      const { rows } = await client.query<{ who: string; can: boolean }>(
        'SELECT current_user AS who, (rolsuper OR rolcreaterole) AS can FROM pg_roles WHERE rolname = current_user',
      );
      const who = rows[0]?.who ?? 'an unknown role';
      if (!rows[0]?.can)
        throw permissionDenied(
          `${parsed.adminUrlSetting}: connected as ${who}, which is neither superuser nor CREATEROLE: ALTER ROLE would be refused`,
        );
      return `${parsed.adminUrlSetting}: connected as ${who}, may alter roles`;
    });
  }

  async revoke(target: CredentialTarget): Promise<ProviderAnswer> {
    const locator = this.locator(target);
    if (target.purpose === 'retire-after-rotation') {
      // The replacement password already replaced the old one; the role must keep logging in.
      return this.answer('retire-old-password', `old password of role ${locator.role} was replaced at rotation`, true);
    }
    const throwaway = randomBytes(24).toString('base64url');
    await this.admin(locator, 'revoke role', (client) =>
      client.query(`ALTER ROLE ${escapeIdentifier(locator.role)} NOLOGIN PASSWORD ${escapeLiteral(throwaway)}`),
    );
    return this.answer('alter-role-nologin', `role ${locator.role} set NOLOGIN with a new unknown password`);
  }

  async issueReplacement(target: CredentialTarget): Promise<{ answer: ProviderAnswer; newValue: string }> {
    const locator = this.locator(target);
    const newValue = randomBytes(24).toString('base64url');
    await this.admin(locator, 'rotate role password', (client) =>
      client.query(`ALTER ROLE ${escapeIdentifier(locator.role)} LOGIN PASSWORD ${escapeLiteral(newValue)}`),
    );
    return { answer: this.answer('alter-role-password', `role ${locator.role} has a new password`), newValue };
  }

  /**
   * The old password is gone (replaced in place), so there is nothing to return to: the replacement
   * password is replaced by an unknown one and the role set NOLOGIN. Nobody can log in as the role.
   */
  async revokeReplacement(target: CredentialTarget): Promise<ProviderAnswer> {
    const locator = this.locator(target);
    await this.revoke({ ...target, purpose: 'contain' });
    return this.answer(
      'lock-role',
      `replacement password of role ${locator.role} replaced by an unknown one and the role set NOLOGIN: it cannot log in`,
    );
  }

  /** Ends the role's sessions; the answer lists them as seen at containment (for the exposure report). */
  async endDerivedSessions(target: CredentialTarget): Promise<ProviderAnswer> {
    const locator = this.locator(target);
    const result = await this.admin(locator, 'terminate sessions', (client) =>
      client.query<SessionRow & { terminated: boolean }>(
        `SELECT ${SESSION_COLUMNS}, pg_terminate_backend(pid) AS terminated
           FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()`,
        [locator.role],
      ),
    );
    const ended = result.rows.filter((row) => row.terminated);
    return {
      ...this.answer(
        'pg-terminate-backend',
        `terminated ${ended.length} session(s) of role ${locator.role}`,
        ended.length === 0,
      ),
      ...(ended.length ? { sessions: ended.slice(0, MAX_SESSIONS).map(sessionSeen) } : {}),
    };
  }

  async proveDead(target: CredentialTarget): Promise<DeathProof> {
    const locator = this.locator(target);
    const checks: string[] = [];
    const oldValue = await target.readLeakedValue();
    let loginRefused: boolean;
    if (oldValue === undefined && target.purpose === 'retire-after-rotation') {
      // Nothing to log in with: the proof is that the rotation replaced the only password a role has.
      loginRefused = true;
      checks.push(`no leaked value sealed; the old password of role ${locator.role} was replaced at rotation`);
    } else if (oldValue === undefined) {
      const canLogin = await this.admin(locator, 'read role', (client) =>
        client.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [locator.role]),
      );
      loginRefused = canLogin.rows[0]?.rolcanlogin !== true;
      checks.push(
        `no leaked value sealed; role ${locator.role} rolcanlogin=${String(canLogin.rows[0]?.rolcanlogin ?? 'absent')}`,
      );
    } else {
      const code = await this.tryLogin(locator, oldValue);
      loginRefused = LOGIN_REFUSED_CODES.includes(code);
      checks.push(
        `login as ${locator.role} with the leaked password: ${code === 'ok' ? 'accepted' : `refused (${code})`}`,
      );
    }
    const sessions = await this.admin(locator, 'count sessions', (client) =>
      client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1', [locator.role]),
    );
    const remaining = Number(sessions.rows[0]?.n ?? 0);
    checks.push(`sessions of role ${locator.role} remaining: ${remaining}`);
    return { dead: loginRefused && remaining === 0, checks };
  }

  private async tryLogin(locator: PostgresLocator, password: string): Promise<string> {
    const url = new URL(this.adminUrl(locator));
    const client = new Client({
      host: url.hostname,
      port: Number(url.port || 5432),
      database: locator.database ?? url.pathname.slice(1),
      user: locator.role,
      password,
      connectionTimeoutMillis: 5_000,
    });
    try {
      await client.connect();
      return 'ok';
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code) return code;
      throw mapPostgresError(error, 'proof-of-death login');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private admin<T>(locator: PostgresLocator, doing: string, work: (client: Client) => Promise<T>): Promise<T> {
    return withAdminClient(adminUrlOf(this.resolveSetting, locator), doing, work);
  }

  private adminUrl(locator: PostgresLocator): string {
    return adminUrlOf(this.resolveSetting, locator);
  }

  private locator(target: CredentialTarget): PostgresLocator {
    return parsePostgresLocator(target.secret.locator);
  }

  private answer(operation: string, summary: string, alreadyDone = false): ProviderAnswer {
    return { provider: this.kind, operation, summary, alreadyDone, at: new Date().toISOString() };
  }
}
