import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hold } from '../support/holds';

/**
 * A loopback stand-in for Slack's Web API (and for response_url endpoints), recording every call
 * so tests can assert what the product sent. It answers like Slack for the methods the product
 * uses and can be told to fail: 429 with Retry-After, 5xx, or a platform error such as invalid_auth.
 * Test code only: the product never imports it.
 */

export interface RecordedCall {
  method: string;
  /** Parsed arguments; JSON-valued fields (blocks, view) are decoded. */
  args: Record<string, unknown>;
  /** The raw request body, for "this string never appears" checks. */
  raw: string;
  /** The HTTP status the fake answered. */
  status: number;
  at: number;
}

export type Fault = { status: 429; retryAfterSeconds: number } | { status: 500 | 502 | 503 } | { error: string };

export interface StoredMessage {
  channel: string;
  ts: string;
  args: Record<string, unknown>;
}

export class FakeSlackWebApi {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  /** Workspace members `users.lookupByEmail` finds (email → user id); others are `users_not_found`. */
  readonly usersByEmail = new Map<string, { id: string; realName: string }>();
  private readonly faults = new Map<
    string,
    Array<{ fault: Fault; match?: (args: Record<string, unknown>) => boolean }>
  >();
  private readonly windows = new Map<string, { windowMs: number; retryAfterSeconds: number; until?: number }>();
  private readonly channels = new Map<string, string>();
  private readonly holds: Array<{ method: string; hold: Hold; match: (args: Record<string, unknown>) => boolean }> = [];
  /** Set by failEverything: every Web API call fails with it. */
  private everything?: Fault;
  private server?: Server;
  private counter = 0;
  private tsCounter = 0;

  /** Base URL to hand the product as SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  /** A response_url for a slash command or click; what is posted there is recorded as `response:<name>`. */
  responseUrl(name: string): string {
    return `${this.origin}/response/${encodeURIComponent(name)}`;
  }

  get origin(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('fake Slack is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Like a real rate limit: from the next call of `method` on, every call for `windowMs` answers
   * 429 with Retry-After.
   */
  rateLimitFor(method: string, windowMs: number, retryAfterSeconds: number): void {
    this.windows.set(method, { windowMs, retryAfterSeconds });
  }

  /** The next `times` calls of `method` (only those whose arguments `match`, when given) fail with `fault`. */
  failNext(method: string, fault: Fault, times = 1, match?: (args: Record<string, unknown>) => boolean): void {
    this.faults.set(method, [
      ...(this.faults.get(method) ?? []),
      ...Array.from({ length: times }, () => ({ fault, match })),
    ]);
  }

  /** From now on every Web API call fails with `fault` (e.g. a revoked bot token: invalid_auth). */
  failEverything(fault: Fault): void {
    this.everything = fault;
  }

  /**
   * Parks the next calls of `method` whose arguments `match` (see Hold): `before` answers nothing
   * and posts nothing until released (then 503); `after` posts, then holds Slack's answer back.
   */
  hold(
    name: string,
    method: string,
    when: 'before' | 'after',
    match: (args: Record<string, unknown>) => boolean,
  ): Hold {
    const hold = new Hold(name, when);
    this.holds.push({ method, hold, match });
    return hold;
  }

  /** Messages posted with `channel` as sent (a user id for direct messages), oldest first. */
  postedTo(channel: string): StoredMessage[] {
    return this.messages.filter((m) => m.args['channel'] === channel);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Successful calls only (what Slack would actually have shown). */
  okCallsOf(method: string): RecordedCall[] {
    return this.callsOf(method).filter((call) => call.status === 200 && !call.args['__failed']);
  }

  /** Waits until `predicate` holds over the recorded calls; fails with what was recorded. */
  async waitFor<T>(what: string, predicate: (fake: this) => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = predicate(this);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; recorded: ${this.calls.map((c) => `${c.method}(${c.status})`).join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const args = parseArgs(raw, req.headers['content-type']);
    if (url.pathname.startsWith('/response/')) {
      this.record(`response:${decodeURIComponent(url.pathname.slice('/response/'.length))}`, args, raw, 200);
      return send(res, 200, { ok: true });
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const held = this.holds.find((entry) => entry.method === method && entry.hold.armed && entry.match(args))?.hold;
    if (held && !held.arrive()) {
      this.record(method, { ...args, __failed: true, __held: true }, raw, 503);
      await held.released;
      return send(res, 503, { ok: false, error: 'service_unavailable' });
    }
    if (held) {
      this.record(method, args, raw, 200);
      const answer = this.answer(method, args);
      await held.released;
      return send(res, 200, answer);
    }
    const window = this.windows.get(method);
    if (window && window.until === undefined) window.until = Date.now() + window.windowMs;
    const limited: Fault | undefined =
      window?.until !== undefined && Date.now() < window.until
        ? { status: 429, retryAfterSeconds: window.retryAfterSeconds }
        : undefined;
    const fault = limited ?? this.takeFault(method, args);
    if (fault && 'status' in fault) {
      this.record(method, { ...args, __failed: true }, raw, fault.status);
      const headers: Record<string, string> =
        fault.status === 429 ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return send(
        res,
        fault.status,
        { ok: false, error: fault.status === 429 ? 'ratelimited' : 'service_unavailable' },
        headers,
      );
    }
    this.record(method, fault ? { ...args, __failed: true } : args, raw, 200);
    if (fault) return send(res, 200, { ok: false, error: fault.error });
    return send(res, 200, this.answer(method, args));
  }

  private takeFault(method: string, args: Record<string, unknown>): Fault | undefined {
    if (this.everything) return this.everything;
    const queue = this.faults.get(method) ?? [];
    const index = queue.findIndex((entry) => !entry.match || entry.match(args));
    return index < 0 ? undefined : queue.splice(index, 1)[0]?.fault;
  }

  private record(method: string, args: Record<string, unknown>, raw: string, status: number): void {
    this.calls.push({ method, args, raw, status, at: Date.now() });
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'chat.postMessage': {
        const channel = this.resolveChannel(String(args['channel']));
        const ts = `${1_700_000_000 + ++this.tsCounter}.000100`;
        this.messages.push({ channel, ts, args });
        return { ok: true, channel, ts, message: { ts, text: args['text'] } };
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === args['channel'] && m.ts === args['ts']);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.args = args;
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'conversations.create': {
        const name = String(args['name']);
        if (this.channels.has(name)) return { ok: false, error: 'name_taken' };
        const id = `C${String(++this.counter).padStart(8, '0')}`;
        this.channels.set(name, id);
        return {
          ok: true,
          channel: { id, name, is_private: args['is_private'] === 'true' || args['is_private'] === true },
        };
      }
      case 'conversations.list':
        return {
          ok: true,
          channels: [...this.channels].map(([name, id]) => ({ id, name })),
          response_metadata: { next_cursor: '' },
        };
      case 'conversations.invite':
        return { ok: true, channel: { id: args['channel'] } };
      case 'conversations.open':
        return { ok: true, channel: { id: this.resolveChannel(String(args['users'])) } };
      case 'conversations.history': {
        // Newest first, like Slack; `oldest` is not applied (the fake's ts are counters, not times).
        const withMetadata = args['include_all_metadata'] === true || args['include_all_metadata'] === 'true';
        const messages = this.messages
          .filter((m) => m.channel === args['channel'])
          .reverse()
          .map((m) => ({
            type: 'message',
            ts: m.ts,
            text: m.args['text'],
            ...(withMetadata && m.args['metadata'] ? { metadata: m.args['metadata'] } : {}),
          }));
        return { ok: true, messages, has_more: false, response_metadata: { next_cursor: '' } };
      }
      case 'views.open':
        return { ok: true, view: { id: `V${String(++this.counter).padStart(8, '0')}` } };
      case 'users.lookupByEmail': {
        const user = this.usersByEmail.get(String(args['email']).toLowerCase());
        if (!user) return { ok: false, error: 'users_not_found' };
        return { ok: true, user: { id: user.id, name: user.realName.toLowerCase(), real_name: user.realName } };
      }
      case 'auth.test':
        return { ok: true, user_id: 'U0TOURNIQUET', bot_id: 'B0TOURNIQUET', team_id: 'T0TEST' };
      default:
        return { ok: true };
    }
  }

  /** Posting to a user id opens the bot's direct message with that person, as Slack does. */
  private resolveChannel(channel: string): string {
    return /^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  const parsed: Record<string, unknown> = contentType?.includes('json')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'view', 'attachments', 'metadata']) {
    const value = parsed[key];
    if (typeof value === 'string') {
      try {
        parsed[key] = JSON.parse(value);
      } catch {
        // left as sent
      }
    }
  }
  return parsed;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
