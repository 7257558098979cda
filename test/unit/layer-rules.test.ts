import { join } from 'node:path';
import { ESLint } from 'eslint';
import * as importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

/**
 * ARCHITECTURE.md's layer table is enforced by lint (eslint.layers.js, used by eslint.config.js).
 * These cases lint small sources placed (virtually) in each layer with exactly those rules: an
 * upward import must fail, the documented exceptions must pass.
 */
const root = join(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const layers = require(join(root, 'eslint.layers.js')) as { LAYER_ZONES: unknown[]; WORKFLOW_BANNED: unknown[] };

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { import: importPlugin as unknown as ESLint.Plugin },
      settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
      rules: { 'import/no-restricted-paths': ['error', { basePath: root, zones: layers.LAYER_ZONES }] },
    },
    {
      files: ['workflows/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: layers.WORKFLOW_BANNED }] },
    },
  ],
});

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, file) });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('layer rules (ARCHITECTURE.md folder rules, enforced by lint)', () => {
  it.each([
    ['domain/probe.ts', "import type { IncidentOpener } from '../integrations/ports';", 'domain/ is pure'],
    [
      'integrations/probe.ts',
      "import { IncidentService } from '../application/incident-service';",
      'never a layer above',
    ],
    ['integrations/probe.ts', "import type { Config } from '../workers/config';", 'never a layer above'],
    ['integrations/probe.ts', "import { createActivities } from '../activities';", 'never a layer above'],
    [
      'activities/probe.ts',
      "import { SqlDeliveryLog } from '../integrations/intake/delivery-log';",
      'never on a concrete adapter',
    ],
    ['activities/probe.ts', "import type { IncidentService } from '../application/incident-service';", 'activities/'],
    ['application/probe.ts', "import { buildHttpApp } from '../entrypoints/http/app';", 'application/ imports'],
    ['application/probe.ts', "import { leakedSecretIncident } from '../workflows/leaked-secret-incident';", 'messages'],
    ['entrypoints/http/probe.ts', "import { assembleProduct } from '../../workers/assemble';", 'process assembly'],
    ['entrypoints/http/probe.ts', "import { createActivities } from '../../activities';", 'application/'],
    ['workflows/probe.ts', "import { createActivities } from '../activities';", 'only import types'],
    ['workflows/probe.ts', "import { promisify } from 'util';", 'no Node built-ins'],
    ['workflows/probe.ts', "import { EventEmitter } from 'events';", 'no Node built-ins'],
    ['workflows/probe.ts', "import { readFile } from 'fs/promises';", 'no Node built-ins'],
    ['workflows/probe.ts', "import type { IncidentService } from '../application/incident-service';", 'workflows/'],
  ])('%s: %s fails lint', async (file, source, expected) => {
    const found = await problems(file, source);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it.each([
    ['activities/probe.ts', "import type { IncidentOpener } from '../integrations/ports';"],
    ['application/probe.ts', "import { reportSightingSignal } from '../workflows/messages';"],
    ['application/probe.ts', "import type { SecretVault } from '../integrations/ports';"],
    ['entrypoints/http/probe.ts', "import type { Config } from '../../workers/config';"],
    ['entrypoints/http/probe.ts', "import type { IncidentService } from '../../application/incident-service';"],
    ['workflows/probe.ts', "import type { IncidentActivities } from '../activities';"],
    ['workflows/probe.ts', "import type { NotificationKind } from '../integrations/ports';"],
    ['workflows/probe.ts', "import { incidentIdOf } from '../domain/ids';"],
    ['workers/probe.ts', "import { IncidentService } from '../application/incident-service';"],
  ])('%s: %s is allowed', async (file, source) => {
    expect(await problems(file, source)).toEqual([]);
  });
});
