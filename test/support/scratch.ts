import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './processes';

const PREFIX = 'tourniquet-test-run-';

/**
 * One directory for every temporary file of a test run: the databases of the PostgreSQL clusters, the
 * products' data directories, catalogs, browser profiles. globalSetup points TMPDIR at it, so every
 * `os.tmpdir()` of the run (jest workers and the processes they start inherit the variable) lands there,
 * and globalTeardown removes it whole. Without it each full run left about a gigabyte behind.
 *
 * The directory is named after the jest process; one whose process is gone (a run killed before its
 * teardown) is removed when the next run starts.
 */
export function createRunScratch(): string {
  const parent = tmpdir();
  removeDeadRuns(parent, new RegExp(`^${PREFIX}(\\d+)-`));
  const scratch = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
  // Traversable by other users: as root, the PostgreSQL clusters run as `postgres` inside it.
  chmodSync(scratch, 0o711);
  // A full run peaks at about 1.2 GB here; a full disk fails tests far from the cause.
  const { bavail, bsize } = statfsSync(scratch);
  const freeGb = (bavail * bsize) / 1e9;
  if (freeGb < 2) console.warn(`only ${freeGb.toFixed(1)} GB free under ${parent}: a full test run needs about 1.2 GB`);
  return scratch;
}

export function removeRunScratch(scratch: string | undefined): void {
  if (scratch?.includes(PREFIX)) rmSync(scratch, { recursive: true, force: true });
}

/** Removes the entries of `parent` whose name gives (as `pattern`'s first group) the PID of a process that is gone. */
export function removeDeadRuns(parent: string, pattern: RegExp): void {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (pid && !processAlive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
  }
}
