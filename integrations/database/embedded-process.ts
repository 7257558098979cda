import { PGlite } from '@electric-sql/pglite';

/**
 * The embedded database's own process: PGlite (PostgreSQL compiled to WebAssembly) on a data
 * directory, answering the product's statements over the IPC channel `fork()` opened. It lives apart
 * from the product process so that PostgreSQL's memory (and initdb's, which WebAssembly never gives
 * back) is not the product's. It exits when the product does: a closed channel means nobody is left
 * to answer.
 *
 *   node embedded-process.js <data directory>          serve statements until the channel closes
 *   node embedded-process.js <data directory> --init   create the database files, then exit
 */

/** One statement from the product. Without params the SQL may hold several statements (migrations). */
export interface EmbeddedRequest {
  id: number;
  sql: string;
  params?: unknown[];
}

export type EmbeddedReply =
  { id: number; rows: unknown[] } | { id: number; error: { message: string; code?: string } } | { ready: true };

/**
 * PGlite's defaults (128 MB of shared buffers) cost ≈ 130 MB more resident memory than these; the
 * embedded database holds one installation's incidents and evidence, not a production load (that is
 * what DATABASE_URL is for).
 */
const SMALL_MEMORY = ['shared_buffers = 16MB', 'work_mem = 2MB', 'maintenance_work_mem = 16MB', 'wal_buffers = 512kB'];

async function main(): Promise<void> {
  const [directory, mode] = process.argv.slice(2);
  if (!directory) throw new Error('usage: embedded-process <data directory> [--init]');
  process.title = 'tourniquet-embedded-database';
  const lite = await PGlite.create(directory, { postgresqlconf: SMALL_MEMORY });
  if (mode === '--init') {
    await lite.close();
    return;
  }
  // The product closes this process (it closes the channel) once nothing uses the database any more.
  // A signal sent to the whole process group — Ctrl-C in the terminal of `npm start`, a service manager
  // stopping every process of the service — must not end it first: the product's in-flight work still
  // writes to it while the product stops, and PGlite would not checkpoint. If the product dies instead,
  // the channel closes and this process closes the database and exits.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  const send = (reply: EmbeddedReply) => process.send?.(reply);
  // The product sends one statement at a time and waits for its answer, so nothing interleaves here.
  process.on('message', (request: EmbeddedRequest) => {
    const answer = request.params?.length
      ? lite.query(request.sql, request.params)
      : lite.exec(request.sql).then((results) => results[results.length - 1] ?? { rows: [] });
    answer.then(
      (result) => send({ id: request.id, rows: result.rows }),
      (error: unknown) => send({ id: request.id, error: describe(error) }),
    );
  });
  process.once('disconnect', () => {
    // Closing checkpoints the database; a hung close must still not leave the process behind.
    setTimeout(() => process.exit(1), 10_000).unref();
    void lite.close().finally(() => process.exit(0));
  });
  send({ ready: true });
}

function describe(error: unknown): { message: string; code?: string } {
  const { message, code } = error as { message?: unknown; code?: unknown };
  return {
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded database: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
