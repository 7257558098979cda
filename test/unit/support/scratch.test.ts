import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunScratch, removeRunScratch } from '../../support/scratch';

/**
 * Every temporary file of a test run goes under one directory that the run's teardown removes, and a run
 * killed before its teardown leaves a directory the next run removes: a full run used to leave about a
 * gigabyte in /tmp, and the runs of a day filled the disk.
 */
describe('the test run’s scratch directory', () => {
  it('is this run’s TMPDIR, so the run’s temporary files are under it', () => {
    expect(process.env.TMPDIR).toMatch(/\/tourniquet-test-run-\d+-[^/]+$/);
    expect(tmpdir()).toBe(process.env.TMPDIR);
  });

  it('removes a killed run’s directory, keeps a live run’s, and is removed whole', () => {
    const parent = tmpdir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const killedRun = join(parent, `tourniquet-test-run-${gone}-AbC123`);
    const liveRun = join(parent, `tourniquet-test-run-${process.pid}-XyZ789`);
    for (const dir of [killedRun, liveRun]) {
      mkdirSync(join(dir, 'tourniquet-pg-1', 'data'), { recursive: true });
      writeFileSync(join(dir, 'tourniquet-pg-1', 'data', 'PG_VERSION'), '17\n');
    }
    const scratch = createRunScratch();
    expect(existsSync(killedRun)).toBe(false);
    expect(existsSync(liveRun)).toBe(true);
    expect(statSync(scratch).mode & 0o777).toBe(0o711);
    writeFileSync(join(scratch, 'left-by-a-test'), 'x');
    removeRunScratch(scratch);
    removeRunScratch(liveRun);
    expect([existsSync(scratch), existsSync(liveRun)]).toEqual([false, false]);
  });
});
