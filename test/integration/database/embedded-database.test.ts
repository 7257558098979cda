import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../integrations/database/database';
import { createEmbeddedTemplate, type EmbeddedDatabase } from '../../../integrations/database/embedded';
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

/**
 * Ctrl-C in the terminal of `npm start` (or a service manager stopping the whole service) sends the signal
 * to every process of the group, the embedded database's too. The product still writes while it stops
 * (its in-flight activities finish), then closes the database: the database must outlive the signal.
 */
describe('the embedded database when the product’s whole process group gets SIGINT', () => {
  it('still takes the product’s writes while it stops, and is closed by it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'embedded-db-'));
    const product = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '../../fixtures/open-embedded-database.ts'), directory, '--stop-on-sigint'],
      { stdio: ['ignore', 'pipe', 'inherit'], detached: true }, // a group of its own, as a terminal's job
    );
    const lines: Record<string, unknown>[] = [];
    let buffered = '';
    product.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const exit = new Promise<number | null>((resolve) => product.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!lines[0] && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const pid = lines[0]!.pid as number;
    // The database process is in the product's group, so the group's signal reaches it.
    expect(processGroupOf(pid)).toBe(product.pid);
    process.kill(-product.pid!, 'SIGINT');
    expect(await exit).toBe(0);
    expect(lines.slice(1)).toEqual([{ wroteAfterSignal: true }, { closed: true }]);
    await waitUntilGone(pid, 15_000, 'embedded database');
    // The write made after the signal is in the files.
    const reopened = (await openDatabase({ embeddedDir: directory })) as EmbeddedDatabase;
    try {
      const rows = await reopened.query<{ n: number }>('SELECT count(*)::int AS n FROM written_while_stopping');
      expect(rows.rows[0]!.n).toBe(1);
    } finally {
      const reopenedPid = reopened.pid();
      await reopened.close();
      if (reopenedPid) await waitUntilGone(reopenedPid, 15_000, 'embedded database');
    }
  });
});

/** Field 5 of /proc/<pid>/stat: the process group. */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/**
 * A first start copies the database files `npm run build` created instead of running initdb. initdb
 * gives every database it creates a new system identifier, so databases with the template's identifier
 * were copied from it, and one without a template was not.
 */
describe('a first start of the embedded database from the build’s template', () => {
  const opened: EmbeddedDatabase[] = [];
  const root = mkdtempSync(join(tmpdir(), 'embedded-template-'));
  const template = join(root, 'template');
  const open = async (directory: string, from: string) => {
    const database = (await openDatabase({ embeddedDir: directory, embeddedTemplate: from })) as EmbeddedDatabase;
    opened.push(database);
    return database;
  };
  const identifierOf = async (database: EmbeddedDatabase) =>
    (await database.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0]!.id;

  afterAll(async () => {
    for (const database of opened) {
      const pid = database.pid();
      await database.close();
      if (pid) await waitUntilGone(pid, 15_000, 'embedded database');
    }
  });

  it('is created once, and copied into a missing or an empty directory', async () => {
    expect(await createEmbeddedTemplate(template)).toBe(true);
    expect(await createEmbeddedTemplate(template)).toBe(false);
    expect(readdirSync(root).sort()).toEqual(['template']);
    const empty = mkdtempSync(join(root, 'empty-'));
    const [missing, emptied] = [await open(join(root, 'missing'), template), await open(empty, template)];
    // The copy is a working database: the product's migrations ran on it and it takes writes.
    await emptied.query('CREATE TABLE kept (id text PRIMARY KEY)');
    await emptied.query('INSERT INTO kept VALUES ($1)', ['written']);
    expect((await emptied.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]).toEqual({
      n: expect.any(Number),
    });
    const fromTemplate = await identifierOf(missing);
    expect(await identifierOf(emptied)).toBe(fromTemplate);
    // Nobody but the owner reaches a database; nobody but the builder changes the template.
    for (const directory of [join(root, 'missing'), empty]) expect(statSync(directory).mode & 0o777).toBe(0o700);
    expect(statSync(join(template, 'PG_VERSION')).mode & 0o777).toBe(0o644);
    // No partial copy is left beside the databases.
    expect(readdirSync(root).filter((name) => name.includes('.partial-'))).toEqual([]);
    // Without a template, initdb runs and the database is its own.
    const initialized = await open(join(root, 'no-template'), join(root, 'absent'));
    expect(await identifierOf(initialized)).not.toBe(fromTemplate);
    expect(statSync(join(root, 'no-template')).mode & 0o777).toBe(0o700);
  });

  it('refuses a folder that holds files but no PG_VERSION, and changes nothing in it', async () => {
    const directory = join(root, 'damaged');
    const database = await open(directory, template);
    await database.query('CREATE TABLE evidence_kept (id text)');
    await database.query("INSERT INTO evidence_kept VALUES ('seq 0')");
    await database.close();
    rmSync(join(directory, 'PG_VERSION'));
    const before = listing(directory);
    await expect(openDatabase({ embeddedDir: directory, embeddedTemplate: template })).rejects.toThrow(
      `the embedded database folder ${directory} holds files but no PG_VERSION`,
    );
    expect(listing(directory)).toEqual(before);
    // Put back, it is the same database, its rows there.
    writeFileSync(join(directory, 'PG_VERSION'), readFileSync(join(template, 'PG_VERSION')));
    const restored = await open(directory, template);
    expect((await restored.query('SELECT id FROM evidence_kept')).rows).toEqual([{ id: 'seq 0' }]);
  });

  it('clears and starts again a creation of its own that was cut short', async () => {
    // What a crash leaves while a new database is copied into an empty folder: its marker and part of the files.
    const directory = mkdtempSync(join(root, 'cut-'));
    writeFileSync(join(directory, '.tourniquet-creating'), '');
    cpSync(join(template, 'global'), join(directory, 'global'), { recursive: true });
    const database = await open(directory, template);
    expect(await identifierOf(database)).toBe(await identifierOf(await open(join(root, 'whole'), template)));
    expect(readdirSync(directory)).not.toContain('.tourniquet-creating');
  });
});

/** Every file under `folder` with its size and modification time. */
function listing(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      const { size, mtimeMs } = statSync(path);
      return `${path} ${size} ${mtimeMs}`;
    })
    .sort();
}
