import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Whether something accepts TCP connections on the loopback port right now. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once something accepts TCP connections on the port, or rejects after the deadline. */
export async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}

/** Resolves once nothing accepts connections on the port any more (a killed server really let go of it). */
export async function waitForPortClosed(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await portOpen(port)) {
    if (Date.now() > deadline)
      throw new Error(`${what} still accepts connections on port ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether a process with this id exists (a zombie counts as gone: it runs nothing any more). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return false;
  try {
    return /^State:\s+Z/m.test(readFileSync(status, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Sends a signal to the whole process group the service leads (its launcher, the program and
 * anything they started), so a wrapper dying never leaves the real program behind.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Waits until the process is gone; throws when it still runs after the deadline. */
export async function waitUntilGone(pid: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`${what} (pid ${pid}) still runs after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Stops a service's process group: SIGTERM, then SIGKILL when it has not exited within `graceMs`.
 * Resolves once the group leader is gone.
 */
export async function stopGroup(pid: number, what: string, graceMs = 10_000): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  try {
    await waitUntilGone(pid, graceMs, what);
  } catch {
    signalGroup(pid, 'SIGKILL');
    await waitUntilGone(pid, 10_000, what);
  }
}

export interface Service {
  child: ChildProcess;
  /** The tail of its output, for error messages. */
  output: () => string;
  /** SIGTERM (then SIGKILL) to the whole group; resolves once it is gone. */
  stop(): Promise<void>;
  /** SIGKILL to the whole group; resolves once the leader is gone. */
  kill(): Promise<void>;
}

/**
 * Spawns a long-running process as the leader of its own process group, keeping the tail of its
 * output for error messages. `stop`/`kill` signal the group, so nothing it started survives it.
 */
export function spawnService(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; what?: string } = {},
): Service {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const what = options.what ?? command;
  return {
    child,
    output: () => tail,
    stop: () => (child.pid ? stopGroup(child.pid, what) : Promise.resolve()),
    async kill() {
      if (!child.pid) return;
      signalGroup(child.pid, 'SIGKILL');
      await waitUntilGone(child.pid, 10_000, what);
    },
  };
}
