import { fork, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { Database } from './database';
import type { EmbeddedReply, EmbeddedRequest } from './embedded-process';

const READY_TIMEOUT_MS = 120_000;
const CLOSE_TIMEOUT_MS = 15_000;

/** The embedded database's process; `pid` lets a caller (a test, a benchmark) see it. */
export interface EmbeddedDatabase extends Database {
  pid(): number | undefined;
}

/**
 * The embedded database (PGlite) in a process of its own, spoken to over IPC. Statements run one at
 * a time, a transaction holding the database until it ends, as PGlite itself requires. When the
 * process dies, what was in flight fails and the next statement starts it again on the same files.
 */
export async function openEmbeddedDatabase(
  directory: string,
  template = embeddedTemplateDirectory(),
): Promise<EmbeddedDatabase> {
  if (!existsSync(join(directory, 'PG_VERSION'))) await createDatabase(directory, template);
  else rmSync(join(directory, CREATING), { force: true }); // a creation that finished just before a crash
  // PGlite writes its files readable and writable by everyone (0666); like PostgreSQL's own data
  // directories, the folder that holds them is its owner's alone. Applied on every start, so an
  // installation made before this holds it too.
  chmodSync(directory, 0o700);
  let server: Promise<Connection> | undefined;
  let current: Connection | undefined;
  let closed = false;
  const connection = (): Promise<Connection> => {
    if (closed) return Promise.reject(new Error('the embedded database is closed'));
    server ??= connect(directory, () => {
      server = undefined;
      current = undefined;
    }).then(
      (opened) => (current = opened),
      (error: unknown) => {
        server = undefined;
        throw error;
      },
    );
    return server;
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const run = async (sql: string, params?: unknown[]) => (await connection()).send(sql, params);
  await connection();
  return {
    query: (sql, params) => serial(() => run(sql, params)) as never,
    transaction: (work) =>
      serial(async () => {
        await run('BEGIN');
        try {
          const result = await work({
            query: (sql, params) => run(sql, params) as never,
            transaction: () => Promise.reject(new Error('nested transactions are not supported')),
            close: async () => undefined,
          });
          await run('COMMIT');
          return result;
        } catch (error) {
          await run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    close: () =>
      serial(async () => {
        closed = true;
        await current?.close();
      }),
    pid: () => current?.child.pid,
  };
}

interface Connection {
  child: ChildProcess;
  send(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  close(): Promise<void>;
}

/**
 * Where `npm run build` leaves the files of a new embedded database, made by this PGlite version
 * (dist/embedded-database/pglite-<version>). Run from sources, the folder is absent and a first start
 * runs initdb itself.
 */
export function embeddedTemplateDirectory(): string {
  return join(__dirname, '..', '..', 'embedded-database', `pglite-${pgliteVersion()}`);
}

/**
 * The build step: creates the template unless it is there. The files are made in a folder beside it
 * and renamed into place once complete, so an interrupted build leaves no half template. Answers
 * whether it created them.
 */
export async function createEmbeddedTemplate(template = embeddedTemplateDirectory()): Promise<boolean> {
  if (existsSync(join(template, 'PG_VERSION'))) return false;
  const partial = `${template}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(template), { recursive: true });
  await exited(start(partial, ['--init']), 'creating the template');
  readOnlyForOthers(partial);
  rmSync(template, { recursive: true, force: true });
  renameSync(partial, template);
  return true;
}

/** In a database folder while it is being created in place: a folder holding it has no database yet. */
const CREATING = '.tourniquet-creating';

/**
 * A first start copies the files `npm run build` created (tens of milliseconds). Without them, initdb
 * runs (≈ 2.5 s), in a process that then exits: its WebAssembly memory is never given back.
 * A folder that holds files but no PG_VERSION is refused, and left as it is: PGlite would run initdb over
 * it, and the evidence of a damaged database would be gone without a word. Only a creation of ours that
 * was cut short (its marker is there) is cleared and started again.
 * A missing folder is copied beside its place, then renamed into it, so a crash mid-copy leaves no
 * database without its files. An empty one (a mounted volume, which cannot be renamed over) is created in
 * place between the marker and its removal, a copy with PG_VERSION last. Every copy shares the template's
 * system identifier, which matters only to physical replication, which the embedded database does not do.
 */
async function createDatabase(directory: string, template: string): Promise<void> {
  if (existsSync(directory)) {
    const entries = readdirSync(directory);
    if (entries.includes(CREATING))
      for (const entry of entries) rmSync(join(directory, entry), { recursive: true, force: true });
    else if (entries.length > 0)
      throw new Error(
        `the embedded database folder ${directory} holds files but no PG_VERSION: it was damaged, or it is not a ` +
          'database this product created. Nothing in it was changed. Restore it from a backup; or move it aside, and ' +
          'the product starts a new, empty database (the evidence in the old one stays out of its reach).',
      );
  }
  const version = join(template, 'PG_VERSION');
  const fromTemplate = existsSync(version);
  if (fromTemplate && !existsSync(directory)) {
    const partial = `${directory}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(template, partial, { recursive: true });
    renameSync(partial, directory);
    return;
  }
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, CREATING), '');
  if (fromTemplate) {
    cpSync(template, directory, { recursive: true, filter: (source) => source !== version });
    cpSync(version, join(directory, 'PG_VERSION'));
  } else await exited(start(directory, ['--init']), 'creating it');
  rmSync(join(directory, CREATING));
}

/** Files 0644 and folders 0755 under `folder` (PGlite makes its files 0666): nobody but the builder changes the template. */
function readOnlyForOthers(folder: string): void {
  chmodSync(folder, 0o755);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) readOnlyForOthers(path);
    else chmodSync(path, 0o644);
  }
}

/** The installed PGlite's version (its package.json, which the package does not export). */
function pgliteVersion(): string {
  for (let folder = dirname(require.resolve('@electric-sql/pglite')); ; folder = dirname(folder)) {
    const file = join(folder, 'package.json');
    if (existsSync(file)) {
      const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (name === '@electric-sql/pglite' && version) return version;
    }
    if (dirname(folder) === folder) throw new Error('cannot find the version of @electric-sql/pglite');
  }
}

function start(directory: string, args: string[] = []): ChildProcess {
  // Built, this file is .js beside the process's .js; from sources (tests, tsx) both are .ts.
  const source = extname(__filename) === '.ts';
  return fork(join(__dirname, `embedded-process${extname(__filename)}`), [directory, ...args], {
    execArgv: source ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function connect(directory: string, onExit: () => void): Promise<Connection> {
  const child = start(directory);
  const pending = new Map<number, { resolve(rows: unknown[]): void; reject(error: Error): void }>();
  let next = 0;
  let gone: Error | undefined;
  child.on('message', (reply: EmbeddedReply) => {
    if ('ready' in reply) return;
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if ('error' in reply) waiter?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else waiter?.resolve(reply.rows);
  });
  child.once('exit', (code, signal) => {
    gone = new Error(`the embedded database process exited (${signal ?? `code ${code}`})`);
    for (const waiter of pending.values()) waiter.reject(gone);
    pending.clear();
    onExit();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the embedded database did not start in time')), READY_TIMEOUT_MS);
    child.once('message', () => (clearTimeout(timer), resolve()));
    child.once(
      'exit',
      (code) => (clearTimeout(timer), reject(new Error(`the embedded database failed to start (code ${code})`))),
    );
  });
  return {
    child,
    send: (sql, params) =>
      new Promise((resolve, reject) => {
        if (gone) return reject(gone);
        const id = (next += 1);
        pending.set(id, { resolve: (rows) => resolve({ rows }), reject });
        child.send({ id, sql, params } satisfies EmbeddedRequest);
      }),
    close: async () => {
      if (gone) return;
      const exit = exited(child, 'closing it', CLOSE_TIMEOUT_MS);
      child.disconnect();
      await exit;
    },
  };
}

/** Waits for a child to exit with code 0; past `timeoutMs` it is killed and the wait fails. */
function exited(child: ChildProcess, doing: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`the embedded database failed ${doing} (${signal ?? `code ${code}`})`));
    });
  });
}
