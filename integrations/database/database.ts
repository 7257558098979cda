import { Pool } from 'pg';
import { openEmbeddedDatabase } from './embedded';
import { MIGRATIONS } from './migrations';

/**
 * The SQL the product needs, over either a PostgreSQL pool or the embedded database (PGlite,
 * PostgreSQL compiled to WebAssembly, in a process of its own), so both run the same statements and
 * migrations.
 */
export interface Database {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it the embedded database keeps its files in `embeddedDir`. */
  url?: string;
  embeddedDir: string;
  /** The files a first start of the embedded database copies; by default those `npm run build` made. */
  embeddedTemplate?: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.url
    ? postgresDatabase(new Pool({ connectionString: options.url, max: 10 }))
    : await openEmbeddedDatabase(options.embeddedDir, options.embeddedTemplate);
  await runMigrations(database);
  return database;
}

function postgresDatabase(pool: Pool): Database {
  // An idle connection cut by a PostgreSQL restart emits 'error' on the pool; unhandled, that would
  // crash the process. The pool drops the client and the next query connects again (/readyz says so meanwhile).
  pool.on('error', () => undefined);
  return {
    query: async (sql, params) => pool.query(sql, params as unknown[]) as never,
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async (sql, params) => client.query(sql, params as unknown[]) as never,
          transaction: () => Promise.reject(new Error('nested transactions are not supported')),
          close: async () => undefined,
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function runMigrations(database: Database): Promise<void> {
  await database.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  for (const migration of MIGRATIONS) {
    await database.transaction(async (tx) => {
      // The lock makes concurrent start-ups (several workers) apply each migration once.
      await tx.query('SELECT pg_advisory_xact_lock(7268736)');
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE id = $1', [migration.id]);
      if (done.rows.length > 0) return;
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
    });
  }
}
