import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../../workers/config';
import { startDevTemporal } from '../../../workers/dev-temporal';
import { startTestApp } from '../../support/app';
import { freePort, portOpen } from '../../support/processes';

/**
 * When the product cannot start, it says why and names what to change, and leaves nothing behind.
 * `npm start` without TEMPORAL_ADDRESS starts the Temporal dev server first: it must not take another
 * process's port for a server that started, nor outlive a start that failed after it.
 */
describe('starting the Temporal dev server', () => {
  const logger = pino({ level: 'silent' });
  const configWith = async (values: Record<string, string>) =>
    parseConfig({
      TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tourniquet-dev-start-')),
      ...values,
    });

  it.each(['TEMPORAL_DEV_PORT', 'TEMPORAL_UI_PORT'])(
    'refuses, naming %s, when another process listens on it, and starts no server',
    async (name) => {
      const holder: Server = createServer();
      const port = await freePort();
      await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
      try {
        const config = await configWith({ [name]: String(port) });
        await expect(startDevTemporal(config, logger)).rejects.toThrow(
          `127.0.0.1:${port} (${name}) is in use by another process. Stop it, set ${name} to a free port, or set TEMPORAL_ADDRESS`,
        );
        expect(devServersOn(config.TEMPORAL_DEV_PORT)).toEqual([]);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    },
  );

  it('fails at once with the server’s own words when it exits before it listens', async () => {
    // A CLI that answers --version, then fails to start as the real one does when it cannot open its file.
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-fake-cli-'));
    const cli = join(dir, 'temporal');
    writeFileSync(
      cli,
      '#!/bin/sh\n[ "$1" = "--version" ] && { echo "temporal version 0.0.0"; exit 0; }\n' +
        'echo "level=ERROR msg=\\"unable to open database file\\"" >&2\nexit 3\n',
    );
    chmodSync(cli, 0o755);
    const started = Date.now();
    await expect(startDevTemporal(await configWith({ TEMPORAL_CLI_PATH: cli }), logger)).rejects.toThrow(
      'the Temporal dev server exited (code 3) before it listened: level=ERROR msg="unable to open database file"',
    );
    // Not the 60 s a server that never listens is given.
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('`npm start` (workers/main.ts) when its start fails after the dev server started', () => {
  it('stops that dev server before it exits', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tourniquet-main-'));
    const devPort = await freePort();
    const product = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../../workers/main.ts')], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        TEMPORAL_DEV_PORT: String(devPort),
        TEMPORAL_UI_PORT: String(await freePort()),
        HTTP_PORT: String(await freePort()),
        CATALOG_PATH: join(dataDir, 'no-such-catalog.yaml'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    product.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => product.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(1);
    expect(stderr).toContain('no-such-catalog.yaml');
    // The dev server had started (its file is there) and is gone, its port closed.
    expect(existsSync(join(dataDir, 'temporal.db'))).toBe(true);
    expect(devServersOn(devPort)).toEqual([]);
    expect(await portOpen(devPort)).toBe(false);
  });
});

describe('the product when its HTTP port is taken', () => {
  it('fails naming HTTP_PORT and what to do', async () => {
    const holder: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startTestApp({ HTTP_PORT: String(port) })).rejects.toThrow(
        `cannot serve HTTP on 127.0.0.1:${port} (HTTP_HOST, HTTP_PORT): another process listens there. ` +
          'Stop it or set HTTP_PORT to a free port.',
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

/** Processes running `temporal server start-dev` on `port`. */
function devServersOn(port: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.includes('start-dev') && args[args.indexOf('--port') + 1] === String(port);
      } catch {
        return false;
      }
    })
    .map(Number);
}
