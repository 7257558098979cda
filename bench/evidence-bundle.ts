/**
 * Closure evidence for a long incident (≥ 500 events): time to append every record through the
 * evidence store, to seal (build + sign + store) and export the bundle, and to verify it offline.
 * Runs on embedded PGlite, and side by side on PostgreSQL when BENCH_PG_URL (an admin URL) is set.
 * Run: npx tsc -p tsconfig.json --outDir .data/bench-build; BENCH_PG_URL=postgresql://... node .data/bench-build/bench/evidence-bundle.js
 * Writes its section of BENCHMARKS.md; exits non-zero when a figure is over budget.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase, type Database } from '../integrations/database/database';
import { ClosureBundleArchive } from '../integrations/evidence/bundle-archive';
import { generateEvidenceSigner } from '../integrations/evidence/bundle-signing';
import { buildClosureBundle, signClosureBundle } from '../integrations/evidence/closure-bundle';
import { SqlEvidenceStore } from '../integrations/evidence/sql-evidence-store';
import { verifyClosureBundle } from '../integrations/evidence/verify-bundle';
import { closedIncidentDrafts } from '../test/support/evidence-fixtures';
import { useScratchTmpdir } from './scratch';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 20);
/** Budgets for a 500-event incident: an auditor waits on verify, a closing workflow on seal. */
const BUDGET_MS = { sealAndExport: 2_000, verify: 1_000 };
const MARK = { start: '<!-- bench:evidence-bundle:start -->', end: '<!-- bench:evidence-bundle:end -->' };

interface Figures {
  backend: string;
  records: number;
  appendTotalMs: number;
  appendMeanMs: number;
  buildSignMs: number;
  sealMs: number;
  exportMs: number;
  verifyMs: number;
  bundleBytes: number;
}

async function run(backend: string, database: Database): Promise<Figures> {
  const store = new SqlEvidenceStore(database);
  const signer = generateEvidenceSigner('bench');
  const incidentId = `leak-${randomBytes(12).toString('hex')}-bench000`;
  // Extra sightings pad the fixture's closed incident up to EVENTS records.
  const base = closedIncidentDrafts({ incidentId }).length;
  const drafts = closedIncidentDrafts({ incidentId, extraSightings: Math.max(0, EVENTS - base) });
  const appendStart = performance.now();
  for (const draft of drafts) await store.append(draft);
  const appendTotalMs = performance.now() - appendStart;

  const records = await store.list(incidentId);
  const buildSignMs = median(REPEATS, () =>
    signClosureBundle(buildClosureBundle(records, new Date().toISOString()), signer),
  );
  const archive = new ClosureBundleArchive(database, store, signer);
  const sealStart = performance.now();
  await archive.sealClosureBundle(incidentId);
  const sealMs = performance.now() - sealStart;
  const exportStart = performance.now();
  const bytes = Buffer.from(JSON.stringify(await archive.get(incidentId)), 'utf8');
  const exportMs = performance.now() - exportStart;

  const input = new Uint8Array(bytes);
  const verifyMs = median(REPEATS, () => {
    if (!verifyClosureBundle(input, signer.publicKeyPem).ok) throw new Error('the benchmark bundle does not verify');
  });
  return {
    backend,
    records: records.length,
    appendTotalMs,
    appendMeanMs: appendTotalMs / records.length,
    buildSignMs,
    sealMs,
    exportMs,
    verifyMs,
    bundleBytes: bytes.length,
  };
}

function median(times: number, work: () => unknown): number {
  const samples: number[] = [];
  for (let index = 0; index < times; index += 1) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;
}

async function postgresDatabase(adminUrl: string): Promise<Database> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return openDatabase({ url: url.toString(), embeddedDir: '' });
}

function report(all: Figures[]): string {
  const f = (ms: number) => ms.toFixed(1);
  const rows = all.map(
    (x) =>
      `| ${x.backend} | ${x.records} | ${f(x.appendTotalMs)} (${f(x.appendMeanMs)}/record) | ${f(x.buildSignMs)} | ${f(x.sealMs)} | ${f(x.exportMs)} | ${f(x.verifyMs)} | ${(x.bundleBytes / 1024).toFixed(0)} KiB |`,
  );
  return [
    MARK.start,
    '## Closure evidence bundle (bench/evidence-bundle.ts)',
    '',
    `One closed incident of ≥ ${EVENTS} evidence records; medians of ${REPEATS} runs for build+sign and verify. ` +
      `Budgets: seal + export < ${BUDGET_MS.sealAndExport} ms, offline verify < ${BUDGET_MS.verify} ms. ` +
      `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}.`,
    '',
    '| backend | records | append all, ms | build+sign, ms | seal (build+sign+store), ms | export (read + serialize), ms | verify offline, ms | bundle size |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Command: `npx tsc -p tsconfig.json --outDir .data/bench-build; BENCH_PG_URL=postgresql://postgres@127.0.0.1:<port>/postgres node .data/bench-build/bench/evidence-bundle.js`',
    MARK.end,
  ].join('\n');
}

/** Replaces only this benchmark's section of ./BENCHMARKS.md (run from the repository root). */
function writeSection(section: string): void {
  const file = path.join(process.cwd(), 'BENCHMARKS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(MARK.start);
  const end = current.indexOf(MARK.end);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + MARK.end.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  console.log(`wrote ${file}`);
}

async function main(): Promise<number> {
  useScratchTmpdir();
  const figures: Figures[] = [];
  const lite = await openDatabase({ embeddedDir: mkdtempSync(path.join(tmpdir(), 'bench-pglite-')) });
  figures.push(await run('PGlite (embedded)', lite));
  await lite.close();
  if (process.env.BENCH_PG_URL) {
    const pg = await postgresDatabase(process.env.BENCH_PG_URL);
    figures.push(await run('PostgreSQL 15', pg));
    await pg.close();
  }
  const section = report(figures);
  console.log(section);
  writeSection(section);
  const over = figures.filter((x) => x.sealMs + x.exportMs > BUDGET_MS.sealAndExport || x.verifyMs > BUDGET_MS.verify);
  for (const x of over) console.error(`${x.backend}: over budget`);
  return over.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
