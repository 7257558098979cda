import { createServer, connect, type Server, type Socket } from 'node:net';
import { Hold } from './holds';

interface Rule {
  hold: Hold;
  /** Bytes towards the server that reach the hold. */
  pattern: RegExp;
  /** When set, `pattern` only marks the connection; the hold applies to its next chunk matching this. */
  then?: RegExp;
}

/**
 * A loopback TCP proxy in front of PostgreSQL that can park one statement for a crash test:
 * `before` keeps the statement from the server; `after` lets the server run it and keeps the
 * answer from the client. It counts the statements it really forwarded (what reached the provider).
 * Parked connections are cut when their hold is released; the client is usually dead by then.
 */
export class HoldingProxy {
  private server: Server | undefined;
  private readonly rules: Rule[] = [];
  private readonly forwarded: string[] = [];
  private readonly parked = new Set<() => void>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  hold(name: string, when: 'before' | 'after', pattern: RegExp, then?: RegExp): Hold {
    const hold = new Hold(name, when);
    this.rules.push({ hold, pattern, then });
    return hold;
  }

  /** How many chunks matching `pattern` were forwarded to the server. */
  count(pattern: RegExp): number {
    return this.forwarded.filter((chunk) => pattern.test(chunk)).length;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    let frozen: 'no' | 'requests' | 'answers' = 'no';
    const marked = new Set<Rule>();
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (frozen === 'requests') return;
      const text = chunk.toString('latin1');
      const rule = this.rules.find((candidate) => {
        if (!candidate.hold.armed) return false;
        if (candidate.then) {
          if (marked.has(candidate)) return candidate.then.test(text);
          if (candidate.pattern.test(text)) marked.add(candidate);
          return false;
        }
        return candidate.pattern.test(text);
      });
      if (rule) {
        const takesEffect = rule.hold.arrive();
        frozen = takesEffect ? 'answers' : 'requests';
        this.parked.add(cut);
        void rule.hold.released.then(cut);
        if (!takesEffect) return;
      }
      this.forwarded.push(text);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (frozen !== 'answers') client.write(chunk);
    });
  }
}
