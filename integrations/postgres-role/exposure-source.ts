import type { Client } from 'pg';
import {
  type BlastRadius,
  classify,
  type ExposureEvent,
  type ExposureReport,
  periodOf,
  reportOfEvents,
  type SessionSeen,
  windowOf,
} from '../../domain/exposure';
import type { SecretSnapshot } from '../../domain/incident';
import type { ExposureQuery, ExposureSource } from '../ports';
import { parseCsvLog, sessionsOfRole, type LoggedSession } from './connection-log';
import {
  adminUrlOf,
  parsePostgresLocator,
  SESSION_COLUMNS,
  sessionSeen,
  withAdminClient,
} from './postgres-role-provider';
import type { SessionRow } from './postgres-role-provider';

const PROVIDER = 'postgres';
const DAY_MS = 86_400_000;
const MIB = 1024 * 1024;

export interface PostgresExposureDeps {
  /** Reads the setting a locator names (the admin connection URL). */
  resolveSetting: (name: string) => string | undefined;
  /** How far before the leak connection log lines are read (default 14 days). */
  baselineMs?: number;
  /**
   * How long after containment logins are still watched for: the report is read again then, and the
   * incident closes after it. PostgreSQL logs at once, so the default 0 makes the first report final.
   */
  watchAfterContainmentMs?: number;
  /** At most this many bytes of csvlog are read per report, newest files first (default 32 MiB). */
  maxLogBytes?: number;
}

interface RoleRow {
  rolsuper: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
  rolbypassrls: boolean;
  rolreplication: boolean;
  rolcanlogin: boolean;
  database: string;
  member_of: string[];
  owned: number;
}

interface LogSettings {
  log_connections: string;
  log_directory: string;
  csvlog: string | null;
}

/**
 * What a PostgreSQL role did, from the server itself: the sessions containment ended (as
 * pg_stat_activity showed them then), the sessions still open when the report runs, and, where
 * `log_connections` is on and the log is csvlog, every login and refused login of the role in the
 * window (read with pg_read_file). Read-only; never sees the password.
 */
export class PostgresExposureSource implements ExposureSource {
  readonly kind = PROVIDER;

  constructor(private readonly deps: PostgresExposureDeps) {}

  async report(query: ExposureQuery): Promise<ExposureReport> {
    const locator = parsePostgresLocator(query.secret.locator);
    const role = locator.role;
    const calls: Record<string, number> = {};
    const now = Date.now();
    const from = new Date(Date.parse(query.leakedAt) - (this.deps.baselineMs ?? 14 * DAY_MS));
    const to = new Date(Date.parse(query.containedAt) + (this.deps.watchAfterContainmentMs ?? 0));
    const window = windowOf(query, from, to);
    const cannotKnow: string[] = [];
    const limits = [
      'pg_stat_activity shows only sessions open when it is read (at containment, and when the report runs): a session opened and closed in between is only in the connection log',
      'the client address is what PostgreSQL sees: behind a pooler or proxy (PgBouncer, RDS Proxy) it is the pooler',
      'what a session ran (queries, rows read) is not read',
      "Tourniquet's own proof-of-death login with the leaked password is refused just before containment and appears as a denied attempt during exposure",
    ];

    const { live, canLogin, logged } = await withAdminClient(
      adminUrlOf(this.deps.resolveSetting, locator),
      'read exposure',
      async (client) => {
        const sessions = await client.query<SessionRow>(
          `SELECT ${SESSION_COLUMNS} FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()`,
          [role],
        );
        count(calls, 'postgres:pg_stat_activity');
        const roleRow = await client.query<{ rolcanlogin: boolean }>(
          'SELECT rolcanlogin FROM pg_roles WHERE rolname = $1',
          [role],
        );
        count(calls, 'postgres:pg_roles');
        const log = await this.readConnectionLog(client, role, from, calls, limits, cannotKnow);
        return { live: sessions.rows.map(sessionSeen), canLogin: roleRow.rows[0]?.rolcanlogin === true, logged: log };
      },
    );

    const events: ExposureEvent[] = [];
    const atContainment = query.sessionsAtContainment ?? [];
    const known = [...atContainment, ...live];
    for (const session of atContainment) events.push(sessionEvent(role, session, query));
    let unattributed = 0;
    for (const session of live) {
      if (Date.parse(session.backendStart) <= Date.parse(query.containedAt)) {
        // It survived containment: whatever it does now, it does with the leaked password's login.
        events.push({
          ...sessionEvent(role, session, query),
          at: new Date(now).toISOString(),
          action: `session open after containment (since ${session.backendStart})`,
          period: 'after-containment',
          classification: 'after-containment',
        });
      } else if (canLogin) unattributed += 1;
      else events.push(sessionEvent(role, session, query));
    }
    for (const session of logged) {
      const at = Date.parse(session.at);
      if (at < from.getTime() || at > to.getTime()) continue;
      if (known.some((seen) => sameSession(seen, session))) continue;
      const period = periodOf(session.at, query);
      if (!session.refused && period === 'after-containment' && canLogin) {
        unattributed += 1;
        continue;
      }
      events.push({
        at: new Date(at).toISOString(),
        credential: role,
        service: `postgresql${session.database ? `/${session.database}` : ''}`,
        action: session.refused ? `login refused: ${session.message}` : 'login',
        ...(session.clientAddr ? { sourceIp: session.clientAddr } : {}),
        ...(session.applicationName ? { applicationName: session.applicationName } : {}),
        ...(session.refused ? { errorCode: session.sqlState } : {}),
        eventId: session.sessionId,
        period,
        classification: classify(period, session.refused ? session.sqlState : undefined),
      });
    }
    if (unattributed > 0)
      cannotKnow.push(
        `${unattributed} login(s) of role ${role} after containment while the role can log in (its password was rotated): they cannot be told apart from logins with the new password and are not counted`,
      );
    if (!query.sessionsAtContainment)
      cannotKnow.push(
        `the sessions open at containment were not recorded (containment did not end them here, e.g. by hand): only sessions open now${logged.length ? ' and the connection log' : ''} are shown`,
      );
    return {
      ...reportOfEvents({ source: 'postgres', provider: PROVIDER, secret: query.secret, window, now }, events),
      derivedCredentials: [],
      limits,
      cannotKnow,
      apiCalls: calls,
    };
  }

  /**
   * What the role may do, for the decision: its attributes, the roles it is a member of, its direct
   * table privileges and owned tables in the admin URL's database, and the sessions it has open now.
   */
  async blastRadius(secret: SecretSnapshot): Promise<BlastRadius> {
    const locator = parsePostgresLocator(secret.locator);
    const calls: Record<string, number> = {};
    return withAdminClient(adminUrlOf(this.deps.resolveSetting, locator), 'read blast radius', async (client) => {
      const role = (
        await client.query<RoleRow>(
          `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolreplication, r.rolcanlogin,
                  current_database() AS database,
                  ARRAY(SELECT b.rolname::text FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
                         WHERE m.member = r.oid ORDER BY 1) AS member_of,
                  (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p'))::int AS owned
             FROM pg_roles r WHERE r.rolname = $1`,
          [locator.role],
        )
      ).rows[0];
      count(calls, 'postgres:pg_roles');
      if (!role)
        return { policies: [], cannotKnow: [`role ${locator.role} does not exist on this server`], apiCalls: calls };
      const grants = await client.query<{ table_schema: string; privilege_type: string; n: number }>(
        `SELECT table_schema, privilege_type, count(*)::int AS n FROM information_schema.table_privileges
          WHERE grantee = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
        [locator.role],
      );
      count(calls, 'postgres:table_privileges');
      const sessions = await client.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM pg_stat_activity WHERE usename = $1 ORDER BY backend_start DESC`,
        [locator.role],
      );
      count(calls, 'postgres:pg_stat_activity');
      const granted = {
        SUPERUSER: role.rolsuper,
        CREATEROLE: role.rolcreaterole,
        CREATEDB: role.rolcreatedb,
        BYPASSRLS: role.rolbypassrls,
        REPLICATION: role.rolreplication,
        LOGIN: role.rolcanlogin,
      };
      const attributes = Object.entries(granted)
        .filter(([, on]) => on)
        .map(([name]) => name);
      const policies: BlastRadius['policies'] = [
        { name: 'role attributes', kind: 'inline', summary: attributes.join(', ') || 'none' },
        ...role.member_of.map((name) => ({ name, kind: 'group' as const, summary: 'member: inherits its privileges' })),
      ];
      if (grants.rows.length)
        policies.push({
          name: `table privileges in ${role.database}`,
          kind: 'inline',
          summary: grants.rows.map((g) => `${g.privilege_type} on ${g.n} table(s) in ${g.table_schema}`).join('; '),
        });
      if (role.owned)
        policies.push({
          name: 'owned tables',
          kind: 'inline',
          summary: `owns ${role.owned} table(s): every privilege`,
        });
      const open = sessions.rows.map(sessionSeen);
      const newest = open[0];
      return {
        principal: `role ${locator.role}`,
        policies,
        // Not `at`: an open session is use now, not a last-login time, which PostgreSQL does not keep.
        lastUsed: {
          note: newest
            ? `${open.length} session(s) open now (newest began ${newest.backendStart}), from ${[...new Set(open.map((s) => `${s.clientAddr ?? 'local'} ${s.applicationName ?? '?'}`))].join(', ')}`
            : 'no session open now; PostgreSQL keeps no last-login time (the connection log does)',
        },
        cannotKnow: [
          `privileges in databases other than ${role.database}, column privileges, EXECUTE on functions and default privileges are not read`,
          'privileges inherited through membership are named by role, not expanded',
        ],
        apiCalls: calls,
      };
    });
  }

  /** The role's logins from the csvlog files, newest first, within the byte budget; [] (and why) when unreadable. */
  private async readConnectionLog(
    client: Client,
    role: string,
    from: Date,
    calls: Record<string, number>,
    limits: string[],
    cannotKnow: string[],
  ): Promise<LoggedSession[]> {
    let settings: LogSettings;
    try {
      settings = (
        await client.query<LogSettings>(
          `SELECT current_setting('log_connections') AS log_connections,
                  current_setting('log_directory') AS log_directory,
                  pg_current_logfile('csvlog') AS csvlog`,
        )
      ).rows[0]!;
    } catch (error) {
      cannotKnow.push(`the connection log could not be located: ${(error as Error).message} (needs pg_monitor)`);
      return [];
    }
    if (settings.log_connections !== 'on') {
      cannotKnow.push(
        'log_connections is off on this server: logins and refused logins between the leak and containment that left no open session cannot be known',
      );
      return [];
    }
    if (!settings.csvlog) {
      cannotKnow.push(
        "log_connections is on but the server does not write csvlog (log_destination = 'csvlog' with logging_collector = on): the connection log is not read",
      );
      return [];
    }
    const budget = this.deps.maxLogBytes ?? 32 * MIB;
    limits.push(
      `connection log: the csvlog files of ${settings.log_directory} written since the window opened, at most ${Math.round(budget / MIB)} MiB, newest first; rotated-away files are gone`,
    );
    let files: Array<{ name: string; size: string }>;
    try {
      files = (
        await client.query<{ name: string; size: string }>(
          `SELECT name, size FROM pg_ls_logdir() WHERE name LIKE '%.csv' AND modification >= $1 ORDER BY modification DESC`,
          [from],
        )
      ).rows;
      count(calls, 'postgres:pg_ls_logdir');
    } catch (error) {
      cannotKnow.push(`the log directory could not be listed: ${(error as Error).message} (needs pg_monitor)`);
      return [];
    }
    const sessions: LoggedSession[] = [];
    let left = budget;
    for (const file of files) {
      if (left <= 0) {
        cannotKnow.push('older connection log lines exceed the byte budget and were not read');
        break;
      }
      const size = Number(file.size);
      const offset = Math.max(0, size - left);
      let text: string;
      try {
        text = (
          await client.query<{ text: string }>('SELECT pg_read_file($1, $2, $3) AS text', [
            `${settings.log_directory}/${file.name}`,
            offset,
            size - offset,
          ])
        ).rows[0]!.text;
        count(calls, 'postgres:pg_read_file');
      } catch (error) {
        cannotKnow.push(
          `the connection log could not be read: ${(error as Error).message} (needs pg_read_server_files or EXECUTE on pg_read_file)`,
        );
        return [];
      }
      left -= size - offset;
      sessions.push(...sessionsOfRole(parseCsvLog(text, offset > 0), role));
    }
    return sessions;
  }
}

function sessionEvent(role: string, session: SessionSeen, query: ExposureQuery): ExposureEvent {
  const period = periodOf(session.backendStart, query);
  return {
    at: session.backendStart,
    credential: role,
    service: `postgresql${session.database ? `/${session.database}` : ''}`,
    action: query.sessionsAtContainment?.includes(session) ? 'session open at containment (ended)' : 'session open',
    ...(session.clientAddr ? { sourceIp: session.clientAddr } : {}),
    ...(session.applicationName ? { applicationName: session.applicationName } : {}),
    eventId: `pid ${session.pid}`,
    period,
    classification: classify(period, undefined),
  };
}

/** The same backend: the pid, and a start within the second (the log's session start has second precision). */
function sameSession(seen: SessionSeen, logged: LoggedSession): boolean {
  return seen.pid === logged.pid && Math.abs(Date.parse(seen.backendStart) - Date.parse(logged.at)) < 2_000;
}

function count(calls: Record<string, number>, operation: string): void {
  calls[operation] = (calls[operation] ?? 0) + 1;
}
