import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../../integrations/database/database';
import { ClosureBundleArchive } from '../../../integrations/evidence/bundle-archive';
import { generateEvidenceSigner } from '../../../integrations/evidence/bundle-signing';
import { SqlEvidenceStore } from '../../../integrations/evidence/sql-evidence-store';
import { verifyClosureBundle, verifyRecordChain } from '../../../integrations/evidence/verify-bundle';
import { runEvidenceCommand } from '../../../entrypoints/cli/evidence';
import { openEvidenceTestDatabase } from '../../support/evidence-database';
import { closedIncidentDrafts, recordClosedIncident } from '../../support/evidence-fixtures';

const signer = generateEvidenceSigner('archive-test');
let database: Database;
let url: string;
let store: SqlEvidenceStore;
let archive: ClosureBundleArchive;
const incidentId = (n: number) => `leak-${n.toString(16).padStart(24, '0')}-0000000${n}`;

async function sql(text: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  ({ database, url } = await openEvidenceTestDatabase());
  store = new SqlEvidenceStore(database);
  archive = new ClosureBundleArchive(database, store, signer);
  const incidents: Array<[number, string, string, 'contained' | 'rotated' | 'false-positive', string]> = [
    [1, 'payments', 'aws-iam', 'contained', '2025-01-10T09:00:00Z'],
    [2, 'payments', 'postgres', 'rotated', '2025-02-10T09:00:00Z'],
    [3, 'identity', 'aws-iam', 'false-positive', '2025-02-20T09:00:00Z'],
    [4, 'identity', 'github', 'contained', '2025-03-05T09:00:00Z'],
    [5, 'payments', 'aws-iam', 'contained', '2025-03-31T23:59:00Z'],
  ];
  for (const [n, ownerTeam, provider, outcome, detectedAt] of incidents) {
    await recordClosedIncident(store, { incidentId: incidentId(n), ownerTeam, provider, outcome, detectedAt });
    await archive.sealClosureBundle(incidentId(n));
  }
}, 120_000);

afterAll(async () => {
  await database.close();
});

describe('sealing closure bundles in PostgreSQL', () => {
  it('seals once: retried and concurrent seals return the first bundle unchanged', async () => {
    await recordClosedIncident(store, { incidentId: incidentId(10) });
    const sealed = await Promise.all(
      [1, 2, 3].map(() => new ClosureBundleArchive(database, store, signer).sealClosureBundle(incidentId(10))),
    );
    const again = await archive.sealClosureBundle(incidentId(10));
    expect(new Set([...sealed, again].map((bundle) => bundle.signature)).size).toBe(1);
    expect(verifyClosureBundle(again, signer.publicKeyPem).ok).toBe(true);
  });

  it('refuses to seal an incident that has not closed', async () => {
    const open = closedIncidentDrafts({ incidentId: incidentId(11) }).slice(0, 4);
    for (const draft of open) await store.append(draft);
    await expect(archive.sealClosureBundle(incidentId(11))).rejects.toThrow(/no incident.closed evidence record/);
  });

  it('refuses UPDATE and DELETE of a sealed bundle', async () => {
    await expect(
      sql('UPDATE closure_bundles SET outcome = $1 WHERE incident_id = $2', ['contained', incidentId(3)]),
    ).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql('DELETE FROM closure_bundles WHERE incident_id = $1', [incidentId(3)])).rejects.toThrow(
      /append-only: DELETE/,
    );
  });
});

describe('an edit made directly in the database is detected', () => {
  it('names the evidence row edited after sealing, while the sealed bundle stays valid', async () => {
    await recordClosedIncident(store, { incidentId: incidentId(20) });
    await archive.sealClosureBundle(incidentId(20));
    await sql(
      `UPDATE evidence_records SET record = jsonb_set(record, '{delegatedBy,id}', '"mallory"') WHERE incident_id = $1 AND seq = 5`,
      [incidentId(20)],
    );
    const result = await archive.verifyStored(incidentId(20), signer.publicKeyPem);
    expect(result?.bundle.ok).toBe(true);
    expect(result?.ok).toBe(false);
    expect(result?.live.problems[0]).toMatch(/record seq 5 \(decision\.made\) .* edited after it was written/);
  });

  it('names the edited record when the bundle is sealed from already-edited rows', async () => {
    await recordClosedIncident(store, { incidentId: incidentId(21) });
    await sql(
      `UPDATE evidence_records SET record = jsonb_set(record, '{details,choice}', '"false-positive"') WHERE incident_id = $1 AND seq = 4`,
      [incidentId(21)],
    );
    const sealed = await archive.sealClosureBundle(incidentId(21));
    const result = verifyClosureBundle(JSON.stringify(sealed), signer.publicKeyPem);
    expect(result.brokenRecord).toMatchObject({ seq: 4, kind: 'decision.approved' });
  });

  it('detects a sealed bundle edited by someone who bypassed the append-only trigger', async () => {
    await recordClosedIncident(store, { incidentId: incidentId(22) });
    await archive.sealClosureBundle(incidentId(22));
    await sql(`ALTER TABLE closure_bundles DISABLE TRIGGER closure_bundles_append_only;
      UPDATE closure_bundles SET bundle = jsonb_set(bundle, '{bundle,incident,outcome}', '"false-positive"') WHERE incident_id = '${incidentId(22)}';
      ALTER TABLE closure_bundles ENABLE TRIGGER closure_bundles_append_only;`);
    const result = await archive.verifyStored(incidentId(22), signer.publicKeyPem);
    expect(result?.bundle).toMatchObject({ ok: false, signatureValid: false, brokenRecord: null });
  });
});

describe('listing closed incidents for auditors', () => {
  const ids = async (filters: Partial<Parameters<ClosureBundleArchive['list']>[0]>) =>
    (await archive.list({ limit: 50, offset: 0, ...filters })).items
      .map((item) => item.incidentId)
      .filter((id) => /-0000000[1-5]$/.test(id));

  it('filters by closing date, owner team, provider and outcome', async () => {
    expect(await ids({ closedFrom: '2025-02-01T00:00:00Z', closedTo: '2025-03-01T00:00:00Z' })).toEqual([
      incidentId(3),
      incidentId(2),
    ]);
    expect(await ids({ ownerTeam: 'identity' })).toEqual([incidentId(4), incidentId(3)]);
    expect(await ids({ provider: 'aws-iam', outcome: 'contained' })).toEqual([incidentId(5), incidentId(1)]);
    expect(await ids({ outcome: 'rotated' })).toEqual([incidentId(2)]);
  });

  it('pages newest first without overlap', async () => {
    const first = await archive.list({ limit: 2, offset: 0, ownerTeam: 'payments' });
    const second = await archive.list({ limit: 2, offset: first.nextOffset ?? -1, ownerTeam: 'payments' });
    expect(first.total).toBeGreaterThanOrEqual(3);
    expect(Date.parse(first.items.at(-1)!.closedAt)).toBeGreaterThanOrEqual(Date.parse(second.items[0]!.closedAt));
    expect(new Set([...first.items, ...second.items].map((item) => item.incidentId)).size).toBe(
      first.items.length + second.items.length,
    );
  });
});

describe('export and the offline CLI', () => {
  it('exports every record and bundle as JSON lines that verify on their own', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'evidence-export-'));
    const out = path.join(dir, 'archive.jsonl');
    const code = await runEvidenceCommand(['export', '--out', out], {
      out: () => undefined,
      err: () => undefined,
      env: {},
      openDatabase: () => openDatabase({ url, embeddedDir: '' }),
    });
    expect(code).toBe(0);
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; record?: { incidentId: string }; signedBundle?: unknown });
    const total = await count('evidence_records');
    expect(lines[0]?.type).toBe('export');
    expect(lines.filter((line) => line.type === 'evidence-record')).toHaveLength(total);
    const bundles = lines.filter((line) => line.type === 'closure-bundle');
    expect(bundles).toHaveLength(await count('closure_bundles'));
    expect(
      bundles.filter((line) => verifyClosureBundle(line.signedBundle, signer.publicKeyPem).ok).length,
    ).toBeGreaterThanOrEqual(6);
    const chainOf1 = lines.filter((line) => line.record?.incidentId === incidentId(1)).map((line) => line.record!);
    expect(verifyRecordChain(chainOf1, incidentId(1))).toBeNull();
  });

  it('verify says VERIFIED for a downloaded bundle and names the record that breaks', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'evidence-verify-'));
    const keyFile = path.join(dir, 'key.pem');
    await writeFile(keyFile, signer.publicKeyPem);
    const good = path.join(dir, 'good.json');
    const sealed = (await archive.get(incidentId(4)))!;
    await writeFile(good, JSON.stringify(sealed));
    const output: string[] = [];
    const io = { out: (line: string) => output.push(line), err: (line: string) => output.push(line), env: {} };
    expect(await runEvidenceCommand(['verify', good, '--public-key', keyFile], io)).toBe(0);
    expect(output.join('\n')).toMatch(/^VERIFIED leak-.*hash chain intact, Ed25519 signature valid/);

    sealed.bundle.records[8]!.at = '2025-03-05T09:59:59.000Z';
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify(sealed));
    output.length = 0;
    expect(await runEvidenceCommand(['verify', bad, '--public-key', keyFile], io)).toBe(1);
    expect(output.join('\n')).toMatch(
      /NOT VERIFIED leak-.*\n {2}- record seq 8 \(credential\.revoked\) at position 8 breaks the chain: its content does not match its hash/,
    );
    expect(await runEvidenceCommand(['verify', bad], io)).toBe(2);
  });
});

async function count(table: string): Promise<number> {
  const result = await database.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(result.rows[0]?.n);
}
