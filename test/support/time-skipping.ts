import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { msToTs, tsToMs, type Duration } from '@temporalio/common/lib/time';
import { freePort, spawnService, waitForPort } from './processes';

/** Temporal's time-skipping test server, running on a free port, with the test service calls a test needs. */
export interface TimeSkippingServer {
  address: string;
  pid: number;
  /** A client on the server (default namespace). */
  client: Client;
  /** Moves the server's clock on by `duration`, firing every timer due on the way while the workers answer. */
  sleep(duration: Duration): Promise<void>;
  /** The server's clock. */
  currentTimeMs(): Promise<number>;
  /** Closes the connection, stops the JVM and resolves once its process is gone. */
  stop(): Promise<void>;
}

/**
 * Starts Temporal's time-skipping test server (the Java one from Maven Central, fetched and cached by
 * scripts/temporal-test-server.sh) on a free port. Started here, not by the SDK's
 * TestWorkflowEnvironment: the SDK gives a server 5 s to listen, and a JVM on a loaded 2-core
 * machine can take longer. This waits until the port accepts connections instead.
 */
export async function startTimeSkippingServer(startTimeoutMs = 120_000): Promise<TimeSkippingServer> {
  const script = join(__dirname, '../../scripts/temporal-test-server.sh');
  const path = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const port = await freePort();
  // The wrapper execs the JVM: the group it leads is the server, stopped as a whole.
  const service = spawnService(path, [String(port)], { what: 'time-skipping test server' });
  try {
    await waitForPort(port, startTimeoutMs, 'time-skipping test server');
  } catch (error) {
    await service.stop();
    throw new Error(`${(error as Error).message}; its output: ${service.output()}`);
  }
  const address = `127.0.0.1:${port}`;
  // What TestWorkflowEnvironment does for its own server: a connection with the test service.
  const options: ConnectionOptions = { address };
  Object.assign(options, { [InternalConnectionOptionsSymbol]: { supportsTestService: true } });
  const connection = await Connection.connect(options);
  const testService = connection.testService!;
  return {
    address,
    pid: service.child.pid!,
    client: new Client({ connection }),
    async sleep(duration) {
      await testService.unlockTimeSkippingWithSleep({ duration: msToTs(duration) });
    },
    async currentTimeMs() {
      return tsToMs((await testService.getCurrentTime({})).time);
    },
    async stop() {
      await connection.close().catch(() => undefined);
      await service.stop();
    },
  };
}
