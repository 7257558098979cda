import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A loopback HTTP server for services with no emulator. `failNext` queues canned failures
 * (429 with Retry-After, 403, 500...) answered before the fake's own logic; every request is
 * kept so tests can check the documented request shapes.
 */
export class LoopbackFake {
  readonly requests: FakeRequest[] = [];
  readonly failures: FakeReply[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly handle: (request: FakeRequest) => FakeReply | Promise<FakeReply>) {}

  failNext(...replies: FakeReply[]): void {
    this.failures.push(...replies);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    this.requests.push(request);
    const reply = this.failures.shift() ?? (await this.handle(request));
    const body =
      reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  }
}
