/**
 * PostgreSQL's csvlog (log_destination = 'csvlog'), as far as the exposure report reads it: the
 * `log_connections` lines of one role, one entry per backend. Column positions are PostgreSQL's
 * (13–17): log_time, user_name, database_name, process_id, connection_from, session_id, ...
 */
const COLUMN = {
  logTime: 0,
  user: 1,
  database: 2,
  pid: 3,
  connectionFrom: 4,
  sessionId: 5,
  commandTag: 7,
  severity: 11,
  sqlState: 12,
  message: 13,
} as const;
const RECORD_START = /\n(?=\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})/;

/** One login attempt of the role: accepted (`connection authorized`) or refused before the session began. */
export interface LoggedSession {
  sessionId: string;
  pid: number;
  /** Time of the backend's first log line. */
  at: string;
  database?: string;
  clientAddr?: string;
  applicationName?: string;
  refused: boolean;
  sqlState?: string;
  message?: string;
}

/**
 * Records of a csvlog text (quoted fields may hold commas, doubled quotes and newlines). `partial`:
 * the text starts mid-file, so everything before the first record start is dropped.
 */
export function parseCsvLog(text: string, partial = false): string[][] {
  let body = text;
  if (partial) {
    const start = body.search(RECORD_START);
    body = start < 0 ? '' : body.slice(start + 1);
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (body[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

/** The role's login attempts, one per backend (session id), from csvlog records. */
export function sessionsOfRole(rows: string[][], role: string): LoggedSession[] {
  const bySession = new Map<string, string[][]>();
  for (const row of rows) {
    const id = row[COLUMN.sessionId];
    if (!id || row.length <= COLUMN.message) continue;
    const lines = bySession.get(id);
    if (lines) lines.push(row);
    else bySession.set(id, [row]);
  }
  const sessions: LoggedSession[] = [];
  for (const [sessionId, lines] of bySession) {
    if (!lines.some((line) => line[COLUMN.user] === role)) continue;
    const refusal = lines.find(
      (line) =>
        line[COLUMN.severity] === 'FATAL' &&
        (line[COLUMN.sqlState]!.startsWith('28') || ['authentication', 'startup'].includes(line[COLUMN.commandTag]!)),
    );
    const authorized = lines.find((line) => line[COLUMN.message]!.startsWith('connection authorized:'));
    if (!refusal && !authorized) continue;
    const at = logTime(lines[0]![COLUMN.logTime]!);
    if (at === undefined) continue;
    const from = lines.map((line) => line[COLUMN.connectionFrom]).find(Boolean);
    const database = lines.map((line) => line[COLUMN.database]).find(Boolean);
    const applicationName = authorized?.[COLUMN.message]!.match(
      /application_name=(.*?)(?: SSL enabled .*| GSS .*)?$/,
    )?.[1];
    sessions.push({
      sessionId,
      pid: Number(lines[0]![COLUMN.pid]),
      at,
      ...(database ? { database } : {}),
      ...(from ? { clientAddr: clientAddress(from) } : {}),
      ...(applicationName ? { applicationName } : {}),
      refused: refusal !== undefined,
      ...(refusal ? { sqlState: refusal[COLUMN.sqlState], message: refusal[COLUMN.message] } : {}),
    });
  }
  return sessions;
}

/** `2026-12-03 08:22:43.647 UTC` as ISO time; undefined for a zone JavaScript cannot read (set log_timezone = 'UTC'). */
function logTime(value: string): string | undefined {
  const utc = value.match(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) (?:UTC|GMT|Z)$/);
  const ms = utc ? Date.parse(`${utc[1]}T${utc[2]}Z`) : Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** `127.0.0.1:52018` → `127.0.0.1`; `[local]` stays. */
function clientAddress(connectionFrom: string): string {
  return connectionFrom.startsWith('[') ? connectionFrom : connectionFrom.replace(/:\d+$/, '');
}
