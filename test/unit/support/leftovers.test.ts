import { spawn } from 'node:child_process';
import { killLeftovers, leftoverProcesses } from '../../support/leftovers';
import { processAlive, spawnService, waitUntilGone } from '../../support/processes';

/** The global teardown's leftover check, on real processes: it must see what a launcher left behind. */
// Only this test's own marker: other test files of the same run may have live workers right now.
const ONLY_MARKED = { checkoutCommands: false };

describe('leftover processes of a test run', () => {
  const marker = `/tmp/tourniquet-leftover-test-${process.pid}.json`;
  const env = { ...process.env, TOURNIQUET_TEST_ENV: marker };
  // Its own marker hides these processes from the run's teardown: whatever an assertion left, killed here.
  afterEach(async () => {
    await killLeftovers(leftoverProcesses(marker, ONLY_MARKED));
  });

  it('finds a grandchild that outlived its killed launcher, and kills it', async () => {
    // A launcher (sh) starting the real program (sleep) as its child, like tsx/cli starts node.
    const launcher = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const grandchild = await new Promise<number>((resolve) =>
      launcher.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    launcher.kill('SIGKILL');
    await waitUntilGone(launcher.pid!, 10_000, 'launcher');
    expect(processAlive(grandchild)).toBe(true);

    const found = leftoverProcesses(marker, ONLY_MARKED);
    expect(found.map((leftover) => leftover.pid)).toEqual([grandchild]);
    await killLeftovers(found);
    expect(processAlive(grandchild)).toBe(false);
    expect(leftoverProcesses(marker, ONLY_MARKED)).toEqual([]);
  });

  it('leaves nothing behind when a service is killed as a group', async () => {
    const service = spawnService('sh', ['-c', 'sleep 300 & echo $!; wait'], { env });
    const grandchild = await new Promise<number>((resolve) =>
      service.child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    await service.kill();
    await waitUntilGone(grandchild, 10_000, 'the service group member');
    expect(leftoverProcesses(marker, ONLY_MARKED)).toEqual([]);
  });
});
