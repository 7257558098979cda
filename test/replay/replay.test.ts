import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { testEnvironment } from '../support/environment';

/**
 * Recorded histories of real incidents must replay against today's workflow code: a change that
 * alters history without `patched()` fails here before it breaks running incidents.
 * Record new ones with `RECORD_HISTORIES=1 npx jest test/integration/foundation`.
 */
describe('recorded incident histories', () => {
  const directory = join(__dirname, 'histories');
  const files = readdirSync(directory).filter((file) => file.endsWith('.history.pb'));

  it('includes at least one recorded history', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(join(directory, file)));
    expect(history.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: testEnvironment().workflowBundlePath } },
      history,
      file,
    );
  });
});
