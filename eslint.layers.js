// The layer rules of ARCHITECTURE.md, shared by eslint.config.js and test/unit/layer-rules.test.ts
// (which proves that an upward import fails lint).
const { builtinModules } = require('node:module');

// Every Node built-in by its bare name (`util`, `events`, `fs/promises`...); `node:*` covers the prefixed ones.
const NODE_BUILTIN = `^(${builtinModules
  .filter((name) => !name.startsWith('_'))
  .map((name) => name.replace(/[/.]/g, (c) => `\\${c}`))
  .join('|')})(/.*)?$`;

const WORKFLOW_BANNED = [
  { group: ['node:*'], message: 'workflow code must be deterministic: no Node built-ins' },
  { regex: NODE_BUILTIN, message: 'workflow code must be deterministic: no Node built-ins' },
  {
    group: ['pino', 'zod', 'pg', '@electric-sql/*', '@slack/*', '@aws-sdk/*', 'express'],
    message: 'workflow code does no I/O: call an activity',
  },
  {
    group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
    message: 'workflows import only @temporalio/workflow',
  },
  {
    // The folder itself (its index.ts) as well as every file in it.
    group: ['../integrations', '../integrations/*', '../activities', '../activities/*'],
    allowTypeImports: true,
    message: 'workflows may only import types from activities/integrations',
  },
];

/**
 * ARCHITECTURE.md's layer table, enforced: each zone lists the folders a layer must not import
 * (type imports included; workflows' type-only imports of activities/integrations are checked by
 * WORKFLOW_BANNED above). Layers, bottom up: domain, workflows | integrations, activities,
 * application, entrypoints, workers. test/ and bench/ may import everything.
 */
const ABOVE = (...folders) => folders.map((folder) => `./${folder}`);
const LAYER_ZONES = [
  {
    target: './domain',
    from: ABOVE('workflows', 'activities', 'integrations', 'application', 'entrypoints', 'workers', 'test', 'bench'),
    message: 'domain/ is pure: it imports zod and other domain/ files only',
  },
  {
    target: './workflows',
    from: ABOVE('application', 'entrypoints', 'workers', 'test', 'bench'),
    message: 'workflows/ import @temporalio/workflow, domain/ and types of activities/ and integrations/',
  },
  {
    target: './integrations',
    from: ABOVE('workflows', 'activities', 'application', 'entrypoints', 'workers', 'test', 'bench'),
    message: 'integrations/ (adapters) import domain/, integrations/ and their SDKs, never a layer above',
  },
  {
    target: './activities',
    from: ABOVE('workflows', 'application', 'entrypoints', 'workers', 'test', 'bench'),
    message: 'activities/ import domain/ and the ports in integrations/ports.ts',
  },
  {
    target: './activities',
    from: './integrations',
    except: ['./ports.ts'],
    message: 'activities/ depend on ports (integrations/ports.ts), never on a concrete adapter',
  },
  {
    target: './application',
    from: ABOVE('activities', 'entrypoints', 'workers', 'test', 'bench'),
    message: 'application/ imports domain/, integrations/ and workflows/messages.ts',
  },
  {
    target: './application',
    from: './workflows',
    except: ['./messages.ts'],
    message: 'application/ talks to workflows through their message definitions (workflows/messages.ts) only',
  },
  {
    target: './entrypoints',
    from: ABOVE('activities', 'workflows', 'test', 'bench'),
    message: 'entrypoints/ go through application/ (IncidentService), never to workflows or activities directly',
  },
  {
    target: './entrypoints',
    from: './workers',
    except: ['./config.ts', './config'],
    message: 'entrypoints/ sit below process assembly (workers/); of it they may read only the parsed config',
  },
];

module.exports = { LAYER_ZONES, WORKFLOW_BANNED };
