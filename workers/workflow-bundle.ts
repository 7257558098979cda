import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** Where `npm run build` writes the workflow bundle: beside the compiled code (dist/workflow-bundle.js). */
export const WORKFLOW_BUNDLE_PATH = join(__dirname, '../workflow-bundle.js');

/**
 * The workflow code the worker loads: the bundle built at build time when it exists (no webpack at
 * start-up: faster and ~0.5 GB less memory), else the workflow sources (tsx, development).
 */
export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (existsSync(WORKFLOW_BUNDLE_PATH)) return { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } };
  return { workflowsPath: require.resolve('../workflows') };
}

/** `npm run build`'s last step (run from dist/workers): bundles dist/workflows into dist/workflow-bundle.js. */
async function buildBundle(): Promise<void> {
  // Loaded only here: the bundler (webpack) stays out of the running worker's memory.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const started = Date.now();
  const noop = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m) },
  });
  writeFileSync(WORKFLOW_BUNDLE_PATH, code);
  process.stdout.write(`workflow bundle: ${WORKFLOW_BUNDLE_PATH} (${code.length} bytes, ${Date.now() - started} ms)\n`);
}

if (require.main === module) {
  buildBundle().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
