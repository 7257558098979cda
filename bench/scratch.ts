import { createRunScratch, removeRunScratch } from '../test/support/scratch';

/**
 * Points this bench's TMPDIR at a directory of its own (test/support/scratch.ts) and removes it when the
 * bench exits: its PostgreSQL clusters and DATA_DIRs would otherwise stay behind, up to a gigabyte a run.
 * A bench killed before its exit handler ran is cleaned up by the next bench or test run.
 */
export function useScratchTmpdir(): void {
  const scratch = createRunScratch();
  process.env.TMPDIR = scratch;
  process.on('exit', () => removeRunScratch(scratch));
}
