import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestEnvironment } from './environment';
import { killLeftovers, leftoverProcesses } from './leftovers';
import { PG_BIN } from './postgres-cluster';
import { stopGroup } from './processes';

/**
 * Stops the shared services, then fails the run when any other process the tests started is
 * still alive (after killing it): a test that leaves a worker, moto or a browser behind is a defect.
 */
export default async function globalTeardown(): Promise<void> {
  const file = process.env.TOURNIQUET_TEST_ENV;
  if (!file) return;
  const environment = JSON.parse(readFileSync(file, 'utf8')) as TestEnvironment;
  await stopGroup(environment.temporalPid, 'Temporal dev server').catch(() => undefined);
  const pgCtl = `${PG_BIN}/pg_ctl`;
  const args = ['stop', '-D', environment.postgresDataDir, '-m', 'immediate'];
  try {
    if (process.getuid?.() === 0)
      execFileSync('runuser', ['-u', 'postgres', '--', pgCtl, ...args], { stdio: 'ignore' });
    else execFileSync(pgCtl, args, { stdio: 'ignore' });
  } catch {
    // already stopped
  }
  if (environment.postgresPid) await stopGroup(environment.postgresPid, 'PostgreSQL').catch(() => undefined);
  const leftovers = leftoverProcesses(file);
  await killLeftovers(leftovers);
  rmSync(dirname(file), { recursive: true, force: true });
  if (leftovers.length > 0) {
    throw new Error(
      `${leftovers.length} process(es) started by the tests outlived them (now killed):\n` +
        leftovers.map(({ pid, cmdline }) => `  ${pid} ${cmdline.slice(0, 300)}`).join('\n'),
    );
  }
}
