import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CatalogError, loadCatalog } from '../../../integrations/catalog/load-catalog';

const root = join(__dirname, '../../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-catalog-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small valid catalog; each test breaks one thing in it. */
function validCatalog() {
  return {
    version: 1,
    defaultOwnerTeam: 'security',
    defaultPolicy: 'standard',
    people: [
      { id: 'erin', name: 'Erin' },
      { id: 'alice', name: 'Alice' },
    ],
    teams: [
      { id: 'security', name: 'Security', decisionMakers: ['erin'] },
      { id: 'payments', name: 'Payments', decisionMakers: ['alice'] },
    ],
    policies: [{ id: 'standard', version: 1, decisionTimeout: '10m' }],
    secrets: [
      { id: 'vendor-key', provider: 'manual', ownerTeam: 'payments', tier: 'medium' },
      {
        id: 'payments-db',
        provider: 'postgres',
        locator: { role: 'payments_app' },
        ownerTeam: 'payments',
        tier: 'high',
      },
    ],
  };
}

type CatalogDoc = ReturnType<typeof validCatalog>;
let fileCount = 0;

function writeCatalog(doc: unknown): string {
  const path = join(dir, `catalog-${++fileCount}.yaml`);
  writeFileSync(path, stringify(doc));
  return path;
}

const postgresNeedsRole = (kind: string, locator: Record<string, unknown>) =>
  kind === 'postgres' && !locator.role ? 'postgres locator: role: required' : undefined;

/** Loads a broken catalog and returns its error message (failing the test if it loads). */
function loadError(change: (doc: CatalogDoc) => void): { path: string; message: string } {
  const doc = validCatalog();
  change(doc);
  const path = writeCatalog(doc);
  try {
    loadCatalog(path, postgresNeedsRole);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return { path, message: (error as Error).message };
  }
  throw new Error('the broken catalog loaded');
}

describe('loading the ownership catalog', () => {
  it('loads the example catalog the quick start runs on', () => {
    const catalog = loadCatalog(join(root, 'catalog.example.yaml'), postgresNeedsRole);
    expect(catalog.defaultOwnerTeam).toBe('security');
    expect(catalog.secrets.map((secret) => secret.id)).toContain('billing-saas-key');
  });

  it('loads the test catalog, turning durations into milliseconds', () => {
    const catalog = loadCatalog(join(root, 'test/fixtures/catalog.test.yaml'), postgresNeedsRole);
    expect(catalog.policies.find((policy) => policy.id === 'standard')?.decisionTimeout).toBe(600_000);
  });

  it('loads the small valid catalog the failure cases start from', () => {
    expect(loadCatalog(writeCatalog(validCatalog()), postgresNeedsRole).secrets).toHaveLength(2);
  });

  it('names the file, the path and the allowed values for a wrong type', () => {
    const { path, message } = loadError((doc) => {
      (doc.secrets[1] as { tier: unknown }).tier = 7;
    });
    expect(message).toContain(path);
    expect(message).toContain('secrets[1].tier');
    expect(message).toMatch(/low.*medium.*high.*critical/);
  });

  it('names an unknown team reference and where to declare it', () => {
    const { path, message } = loadError((doc) => {
      doc.secrets[1]!.ownerTeam = 'ghosts';
    });
    expect(message).toContain(path);
    expect(message).toContain('at secrets[1].ownerTeam');
    expect(message).toContain('unknown team "ghosts": declare it under teams');
  });

  it('names a duplicate id at its second occurrence', () => {
    const { path, message } = loadError((doc) => {
      doc.people.push({ id: 'alice', name: 'Another Alice' });
    });
    expect(message).toContain(path);
    expect(message).toContain('at people[2].id: duplicate id "alice"');
  });

  it('names a bad duration and shows how to write one', () => {
    const { path, message } = loadError((doc) => {
      doc.policies[0]!.decisionTimeout = 'ten minutes';
    });
    expect(message).toContain(path);
    expect(message).toContain('policies[0].decisionTimeout');
    expect(message).toContain('"ten minutes" is not a duration: write e.g. "30s", "10m", "2h"');
  });

  it("reports the provider's own locator check with the secret's path", () => {
    const { path, message } = loadError((doc) => {
      doc.secrets[1]!.locator = {} as { role: string };
    });
    expect(message).toContain(path);
    expect(message).toContain('at secrets[1].locator: postgres locator: role: required');
  });

  it('names the file when it is not YAML at all', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'people: [unclosed\n');
    expect(() => loadCatalog(path)).toThrow(
      new RegExp(`catalog ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read it as YAML`),
    );
  });
});
