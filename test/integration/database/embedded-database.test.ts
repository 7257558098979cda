import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../integrations/database/database';
import type { EmbeddedDatabase } from '../../../integrations/database/embedded';
import { processAlive, waitUntilGone } from '../../support/processes';

/**
 * The embedded database (no DATABASE_URL) runs PGlite in a process of its own: the product's memory
 * holds none of PostgreSQL's, and the database process never outlives the product.
 */
describe('the embedded database process', () => {
  let directory: string;
  let database: EmbeddedDatabase;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'embedded-db-'));
    database = (await openDatabase({ embeddedDir: directory })) as EmbeddedDatabase;
  });

  afterAll(async () => {
    const pid = database.pid();
    await database.close();
    if (pid) await waitUntilGone(pid, 15_000, 'embedded database');
  });

  it('is a separate process that has applied the migrations', async () => {
    const pid = database.pid();
    expect(pid).toBeDefined();
    expect(pid).not.toBe(process.pid);
    expect(processAlive(pid!)).toBe(true);
    const applied = await database.query<{ count: number }>('SELECT count(*)::int AS count FROM schema_migrations');
    expect(applied.rows[0]!.count).toBeGreaterThan(0);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await database.query('CREATE TABLE kept (id text PRIMARY KEY, at timestamptz NOT NULL)');
    const at = new Date('2026-12-04T04:00:00.000Z');
    await database.transaction(async (tx) => {
      await tx.query('INSERT INTO kept VALUES ($1, $2)', ['committed', at]);
    });
    await expect(
      database.transaction(async (tx) => {
        await tx.query('INSERT INTO kept VALUES ($1, $2)', ['rolled-back', at]);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    const rows = await database.query<{ id: string; at: Date }>('SELECT id, at FROM kept');
    expect(rows.rows).toEqual([{ id: 'committed', at }]);
  });

  it('answers a failed statement with PostgreSQL’s error code', async () => {
    await database.query('CREATE TABLE once (id text PRIMARY KEY)');
    await database.query('INSERT INTO once VALUES ($1)', ['a']);
    await expect(database.query('INSERT INTO once VALUES ($1)', ['a'])).rejects.toMatchObject({ code: '23505' });
  });

  it('starts again on the same files after its process is killed', async () => {
    const killed = database.pid()!;
    process.kill(killed, 'SIGKILL');
    await waitUntilGone(killed, 10_000, 'killed embedded database');
    // A statement in flight when the process dies fails (as on a cut connection); once the product has
    // seen the exit, the next statement starts a new process.
    const deadline = Date.now() + 10_000;
    while (database.pid() === killed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(database.pid()).toBeUndefined();
    const rows = await database.query<{ id: string }>('SELECT id FROM kept');
    expect(rows.rows.map((row) => row.id)).toEqual(['committed']);
    const restarted = database.pid()!;
    expect(restarted).not.toBe(killed);
    expect(processAlive(restarted)).toBe(true);
  });

  it('exits when the product process that opened it is killed', async () => {
    const product = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, '../../fixtures/open-embedded-database.ts'),
        mkdtempSync(join(tmpdir(), 'embedded-db-')),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      product.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      product.once('exit', (code) => reject(new Error(`the product exited early (code ${code})`)));
    });
    const { pid } = JSON.parse(line) as { pid: number };
    expect(processAlive(pid)).toBe(true);
    product.kill('SIGKILL');
    await waitUntilGone(product.pid!, 10_000, 'product process');
    await waitUntilGone(pid, 15_000, 'embedded database of a killed product');
  });
});
