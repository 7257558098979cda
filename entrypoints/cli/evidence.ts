import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../../integrations/database/database';
import { ClosureBundleArchive } from '../../integrations/evidence/bundle-archive';
import { SqlEvidenceStore } from '../../integrations/evidence/sql-evidence-store';
import { verifyClosureBundle } from '../../integrations/evidence/verify-bundle';
import { parseConfig } from '../../workers/config';

/** Where the command writes and which database `export` reads; tests pass their own. */
export interface EvidenceCommandIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Opens the product's database; defaults to DATABASE_URL, else the embedded one in DATA_DIR. */
  openDatabase?: () => Promise<Database>;
}

const USAGE = `usage:
  tourniquet evidence verify <bundle.json> --public-key <key.pem>
      checks every record's hash chain and the signature, offline; exit 0 verified, 1 not verified, 2 unreadable input or wrong usage
  tourniquet evidence export [--out <file.jsonl>]
      writes every evidence record and sealed closure bundle as JSON lines (stdout by default)`;

const defaultIo: EvidenceCommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/**
 * `tourniquet evidence <verify|export> ...`. Returns the exit code: 0 success, 1 verification
 * failed, 2 usage or input error (the message says what to pass instead).
 */
export async function runEvidenceCommand(argv: string[], io: EvidenceCommandIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'verify') return await verifyCommand(rest, io);
    if (command === 'export') return await exportCommand(rest, io);
    io.err(command ? `unknown evidence command "${command}"\n${USAGE}` : USAGE);
    return 2;
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
}

async function verifyCommand(args: string[], io: EvidenceCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'public-key': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [bundlePath, extra] = positionals;
  if (!bundlePath || extra) throw new Error('verify takes exactly one bundle file');
  if (!values['public-key'])
    throw new Error('--public-key <key.pem> is required: download it from GET /audit/api/public-key');
  const [bundle, publicKey] = await Promise.all([
    readInput(bundlePath, 'bundle'),
    readInput(values['public-key'], 'public key'),
  ]);
  const result = verifyClosureBundle(readableJson(bundle, bundlePath), publicKey.toString('utf8'));
  if (result.ok) {
    io.out(
      `VERIFIED ${result.incidentId}: ${result.recordCount} records, hash chain intact, Ed25519 signature valid (key ${result.keyId})`,
    );
    return 0;
  }
  io.out(`NOT VERIFIED${result.incidentId ? ` ${result.incidentId}` : ''}`);
  for (const problem of result.problems) io.out(`  - ${problem}`);
  return 1;
}

async function exportCommand(args: string[], io: EvidenceCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { out: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new Error(`export takes no positional arguments (got "${positionals.join(' ')}")`);
  const database = await (io.openDatabase ?? (() => openConfiguredDatabase(io.env)))();
  try {
    const archive = new ClosureBundleArchive(database, new SqlEvidenceStore(database));
    const lines = values.out ? await exportToFile(archive, values.out) : await exportToOut(archive, io);
    io.err(`exported ${lines} lines${values.out ? ` to ${values.out}` : ''}`);
    return 0;
  } finally {
    await database.close();
  }
}

async function exportToOut(archive: ClosureBundleArchive, io: EvidenceCommandIo): Promise<number> {
  let count = 0;
  for await (const line of archive.exportJsonLines()) {
    io.out(line);
    count += 1;
  }
  return count;
}

/** Streams to the file, waiting on back-pressure so a large archive never sits in memory. */
async function exportToFile(archive: ClosureBundleArchive, path: string): Promise<number> {
  const file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  await once(file, 'open');
  let count = 0;
  for await (const line of archive.exportJsonLines()) {
    if (!file.write(`${line}\n`)) await once(file, 'drain');
    count += 1;
  }
  file.end();
  await once(file, 'finish');
  return count;
}

function openConfiguredDatabase(env: Record<string, string | undefined>): Promise<Database> {
  const config = parseConfig(env);
  return openDatabase({ url: config.DATABASE_URL, embeddedDir: join(config.DATA_DIR, 'pglite') });
}

/**
 * A bundle that is not UTF-8 JSON at all (an HTML error page, a truncated download) is unreadable
 * input, exit 2, not a bundle that failed verification. Thrown errors become exit 2.
 */
function readableJson(bytes: Buffer, path: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw new Error(
      `cannot read the bundle file ${path}: it is not UTF-8 JSON (${(error as Error).message}); download it again from GET /audit/api/incidents/<id>/bundle`,
    );
  }
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(
      `cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
