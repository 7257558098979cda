import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATCHES_AFTER_PLANNING, PATCHES_SINCE_BASELINE } from '../../../workflows/patches';

/** Patches decided before the planning local activity where they are used (see workflows/patches.ts). */
const DECIDED_BEFORE_PLANNING = [
  'settled-handoff-answers',
  'patches-before-planning',
  'bounded-roll-over',
  'bounded-history',
  'local-planning',
  'revocation-local-first',
  'local-call-alone',
  'notifications-together',
];

describe('patch placement', () => {
  it('decides every patch the workflow code uses before the planning local activity', () => {
    const directory = join(__dirname, '../../../workflows');
    const used = new Set<string>();
    for (const file of readdirSync(directory).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(directory, file), 'utf8');
      for (const match of source.matchAll(/(?:patched|hasPatch)\('([^']+)'\)|const PATCH = '([^']+)'/g))
        used.add(match[1] ?? match[2]!);
    }
    expect(used.size).toBeGreaterThan(10);
    const listed = new Set<string>([...PATCHES_AFTER_PLANNING, ...DECIDED_BEFORE_PLANNING, ...PATCHES_SINCE_BASELINE]);
    expect([...used].filter((id) => !listed.has(id))).toEqual([]);
  });
});
