import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
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
export async function openEmbeddedDatabase(directory: string): Promise<EmbeddedDatabase> {
  // initdb's WebAssembly memory is never given back: create the files in a process that then exits.
  if (!existsSync(join(directory, 'PG_VERSION'))) await exited(start(directory, ['--init']), 'creating it');
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
