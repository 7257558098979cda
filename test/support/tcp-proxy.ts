import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'stall';

/**
 * A loopback TCP proxy in front of a real server, for network faults: `refuse` closes new
 * connections at once (a provider outage), `stall` accepts and forwards nothing (a hung call).
 * It also counts what crosses it, e.g. how many revocation statements reached PostgreSQL.
 */
export class TcpProxy {
  mode: ProxyMode = 'pass';
  connections = 0;
  /** When set, the first chunk matching it switches the proxy to `stall` for every later connection. */
  stallAfter: RegExp | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly seen: string[] = [];

  constructor(private readonly targetPort: number) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** How many times `pattern` appeared in bytes sent towards the server. */
  count(pattern: RegExp): number {
    return this.seen.filter((chunk) => pattern.test(chunk)).length;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    this.connections += 1;
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.mode === 'refuse') return void client.destroy();
    if (this.mode === 'stall') return;
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      this.seen.push(text);
      if (this.stallAfter?.test(text)) {
        this.stallAfter = undefined;
        this.mode = 'stall';
      }
    });
    client.pipe(upstream).pipe(client);
  }
}
