import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLogger } from '../../workers/logger';
import { bridgeTemporalLogs } from '../../workers/temporal-runtime';
import { freePort } from './processes';

/**
 * Temporal's time-skipping test server (the Java one from Maven Central, fetched and cached by
 * scripts/temporal-test-server.sh), on a free port. `env.sleep()` moves its clock on; the server
 * fires every timer due on the way while the workers answer. Stop it with `env.teardown()`.
 */
export async function startTimeSkippingServer(): Promise<{ env: TestWorkflowEnvironment; address: string }> {
  const script = join(__dirname, '../../scripts/temporal-test-server.sh');
  const path = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const port = await freePort();
  // The SDK runtime is installed once per process: with the app's log bridge, before the test environment uses it.
  bridgeTemporalLogs(createLogger('warn'), 'WARN');
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path }, port },
  });
  return { env, address: `127.0.0.1:${port}` };
}
