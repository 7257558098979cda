import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestEnvironment } from './environment';
import { PG_BIN } from './postgres-cluster';

export default async function globalTeardown(): Promise<void> {
  const file = process.env.TOURNIQUET_TEST_ENV;
  if (!file) return;
  const environment = JSON.parse(readFileSync(file, 'utf8')) as TestEnvironment;
  try {
    process.kill(environment.temporalPid, 'SIGTERM');
  } catch {
    // already gone
  }
  const pgCtl = `${PG_BIN}/pg_ctl`;
  const args = ['stop', '-D', environment.postgresDataDir, '-m', 'immediate'];
  try {
    if (process.getuid?.() === 0)
      execFileSync('runuser', ['-u', 'postgres', '--', pgCtl, ...args], { stdio: 'ignore' });
    else execFileSync(pgCtl, args, { stdio: 'ignore' });
  } catch {
    // already stopped
  }
  rmSync(dirname(file), { recursive: true, force: true });
}
