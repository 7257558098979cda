import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, spawnService, waitForPort } from './processes';

export const PG_BIN = process.env.PG_BIN ?? newestDebianPostgres();

/** Debian installs each major version under /usr/lib/postgresql/<major>/bin. */
function newestDebianPostgres(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors[0]) throw new Error('PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BIN)');
  return join(root, majors[0], 'bin');
}
export const SUPERUSER_PASSWORD = 'tourniquet-test-superuser';

/**
 * A throwaway PostgreSQL cluster (Debian's postgresql package) on a free loopback port, with
 * password authentication so a wrong password is really refused. As root, it runs as `postgres`
 * because initdb refuses to run as root. `settings` are extra server settings (`log_connections: 'on'`).
 */
export async function startPostgresCluster(
  settings: Record<string, string> = {},
): Promise<{ url: string; pid: number; dataDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-pg-'));
  const dataDir = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, SUPERUSER_PASSWORD);
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  chmodSync(dir, 0o700);
  const run = (binary: string, args: string[]): [string, string[]] =>
    asPostgres ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args]] : [join(PG_BIN, binary), args];
  const [initCommand, initArgs] = run('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  execFileSync(initCommand, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const [command, args] = run('postgres', [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ]);
  const server = spawnService(command, args);
  try {
    await waitForPort(port, 30_000, 'PostgreSQL');
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${server.output()}`);
  }
  server.child.unref();
  return {
    url: `postgres://postgres:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`,
    pid: server.child.pid!,
    dataDir,
  };
}

/** Runs pg_ctl on a cluster of startPostgresCluster (as `postgres` when we are root). */
function pgCtl(args: string[]): void {
  const pgCtlPath = join(PG_BIN, 'pg_ctl');
  if (process.getuid?.() === 0)
    execFileSync('runuser', ['-u', 'postgres', '--', pgCtlPath, ...args], { stdio: 'pipe' });
  else execFileSync(pgCtlPath, args, { stdio: 'pipe' });
}

/** Stops a cluster of startPostgresCluster (fast: open sessions are cut) and waits until it is down. */
export function stopPostgresCluster(dataDir: string): void {
  pgCtl(['stop', '-D', dataDir, '-m', 'fast', '-w']);
}

/** Starts a stopped cluster again on its old port and waits until it accepts connections. */
export async function restartPostgresCluster(dataDir: string, url: string): Promise<void> {
  const port = Number(new URL(url).port);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dirname(dataDir)} -c fsync=off`;
  pgCtl(['start', '-D', dataDir, '-w', '-l', join(dirname(dataDir), 'restart.log'), '-o', options]);
  await waitForPort(port, 30_000, 'PostgreSQL (restarted)');
}
