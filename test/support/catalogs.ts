import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const TEST_CATALOG = join(__dirname, '../fixtures/catalog.test.yaml');

/** The test catalog with fields of the standard policy changed, written to a temporary file; returns its path. */
export function catalogWithStandardPolicy(policy: Record<string, unknown>): string {
  const catalog = parse(readFileSync(TEST_CATALOG, 'utf8')) as { policies: Array<Record<string, unknown>> };
  catalog.policies = catalog.policies.map((p) => (p.id === 'standard' ? { ...p, ...policy } : p));
  const path = join(mkdtempSync(join(tmpdir(), 'tourniquet-catalog-')), 'catalog.yaml');
  writeFileSync(path, stringify(catalog));
  return path;
}
