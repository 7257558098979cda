import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { TEST_CATALOG } from './app';

/**
 * Writes the test catalog plus the given secrets and policies (and teams, replacing those of the
 * same id) to a temporary file; returns its path.
 */
export function testCatalogWith(extra: {
  secrets?: object[];
  policies?: object[];
  teams?: Array<{ id: string }>;
}): string {
  const catalog = parse(readFileSync(TEST_CATALOG, 'utf8')) as {
    secrets: object[];
    policies: object[];
    teams: Array<{ id: string }>;
  };
  for (const team of extra.teams ?? []) {
    const index = catalog.teams.findIndex((known) => known.id === team.id);
    if (index < 0) catalog.teams.push(team);
    else catalog.teams[index] = team;
  }
  catalog.secrets.push(...(extra.secrets ?? []));
  catalog.policies.push(...(extra.policies ?? []));
  const path = join(mkdtempSync(join(tmpdir(), 'tourniquet-catalog-')), 'catalog.yaml');
  writeFileSync(path, stringify(catalog));
  return path;
}
