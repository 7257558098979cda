import { LoopbackFake, type FakeReply, type FakeRequest } from './loopback-server';

/**
 * GitHub's credential revocation API and GET /user, as documented at
 * docs.github.com/rest/credentials/revoke: POST /credentials/revoke, unauthenticated (an
 * Authorization header gets 403), JSON `{ credentials: string[] }` of 1..1000, answers 202;
 * revocation happens after the answer (`revokeDelayMs`). GET /user answers 401 "Bad credentials"
 * for a revoked or unknown token.
 */
export class FakeGitHubApi extends LoopbackFake {
  readonly live = new Set<string>();
  revokeDelayMs = 0;
  revocationRequests = 0;
  /** How many accepted revocation requests carried each token. */
  readonly revocationsOf = new Map<string, number>();
  /** Tokens GitHub refuses: a list holding any of them is answered 422 as a whole. */
  readonly refused = new Set<string>();

  constructor() {
    super((request) => this.route(request));
  }

  private route(request: FakeRequest): FakeReply {
    if (request.method === 'POST' && request.path === '/credentials/revoke') return this.revoke(request);
    if (request.method === 'GET' && request.path === '/user') {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!token || !this.live.has(token)) return { status: 401, body: { message: 'Bad credentials' } };
      return { status: 200, body: { login: 'octocat', id: 1 } };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  private revoke(request: FakeRequest): FakeReply {
    if (request.headers.authorization)
      return { status: 403, body: { message: 'authenticated requests are not allowed' } };
    let credentials: unknown;
    try {
      credentials = (JSON.parse(request.body) as { credentials?: unknown }).credentials;
    } catch {
      return { status: 422, body: { message: 'Validation Failed' } };
    }
    if (
      !Array.isArray(credentials) ||
      credentials.length < 1 ||
      credentials.length > 1000 ||
      !credentials.every((c) => typeof c === 'string')
    )
      return { status: 422, body: { message: 'Validation Failed' } };
    if (credentials.some((token) => this.refused.has(token)))
      return { status: 422, body: { message: 'Validation Failed' } };
    this.revocationRequests += 1;
    credentials.forEach((token) => this.revocationsOf.set(token, (this.revocationsOf.get(token) ?? 0) + 1));
    setTimeout(() => credentials.forEach((token) => this.live.delete(token)), this.revokeDelayMs);
    return { status: 202, body: {} };
  }
}
