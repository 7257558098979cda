import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The checkout this file belongs to: processes running its test/ files are this checkout's test processes. */
const CHECKOUT = join(__dirname, '../..');

export interface Leftover {
  pid: number;
  cmdline: string;
}

/**
 * Processes started by this test run that are still alive: every process carrying the run's
 * `TOURNIQUET_TEST_ENV=<file>` in its environment (all children of the run inherit it — also the
 * grandchild a launcher such as tsx starts), or running a file under this checkout's test/.
 * The jest process itself, its ancestors and its own jest workers are not leftovers.
 */
export function leftoverProcesses(
  marker: string | undefined = process.env.TOURNIQUET_TEST_ENV,
  options: { checkoutCommands?: boolean } = {},
): Leftover[] {
  const byCommand = options.checkoutCommands ?? true;
  const exempt = ancestors(process.pid);
  const found: Leftover[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (exempt.has(pid)) continue;
    const stat = read(`/proc/${pid}/stat`);
    if (!stat || /^\d+ \(.*\) Z /.test(stat)) continue; // gone, or a zombie that runs nothing
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
    if (isJestWorker(cmdline, parentOf(stat))) continue;
    const environ = read(`/proc/${pid}/environ`) ?? '';
    const marked = marker !== undefined && environ.split('\0').includes(`TOURNIQUET_TEST_ENV=${marker}`);
    if (marked || (byCommand && cmdline.includes(`${CHECKOUT}/test/`))) found.push({ pid, cmdline });
  }
  return found;
}

/** Kills each leftover (with its process group when it leads one) and waits until they are gone. */
export async function killLeftovers(leftovers: Leftover[], timeoutMs = 10_000): Promise<void> {
  for (const { pid } of leftovers) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or already gone
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (leftovers.some(({ pid }) => alive(pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isJestWorker(cmdline: string, parent: number): boolean {
  return parent === process.pid && /jest-worker|jest-runner|processChild/.test(cmdline);
}

function ancestors(pid: number): Set<number> {
  const chain = new Set<number>();
  let current = pid;
  while (current > 1 && !chain.has(current)) {
    chain.add(current);
    const stat = read(`/proc/${current}/stat`);
    if (!stat) break;
    current = parentOf(stat);
  }
  return chain;
}

/** Field 4 of /proc/<pid>/stat; the command name in parentheses may itself contain spaces. */
function parentOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function alive(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`);
  return stat !== undefined && !/^\d+ \(.*\) Z /.test(stat);
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}
