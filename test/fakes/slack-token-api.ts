import { LoopbackFake, type FakeReply, type FakeRequest } from './loopback-server';

/**
 * Slack's auth.test and auth.revoke (api.slack.com/methods): POST with the token as bearer, HTTP
 * 200 with `{ ok, error? }`; auth.test on a revoked token answers `token_revoked`, on an unknown
 * one `invalid_auth`; auth.revoke answers `{ ok: true, revoked: true }`.
 */
export class FakeSlackTokenApi extends LoopbackFake {
  readonly live = new Set<string>();
  readonly revoked = new Set<string>();

  constructor() {
    super((request) => this.route(request));
  }

  private route(request: FakeRequest): FakeReply {
    if (request.method !== 'POST') return { status: 405, body: { ok: false, error: 'method_not_allowed' } };
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return { status: 200, body: { ok: false, error: 'not_authed' } };
    const state = this.live.has(token) ? 'live' : this.revoked.has(token) ? 'token_revoked' : 'invalid_auth';
    if (request.path === '/api/auth.test')
      return {
        status: 200,
        body:
          state === 'live' ? { ok: true, team: 'T1', user: 'deploy-bot', user_id: 'U1' } : { ok: false, error: state },
      };
    if (request.path === '/api/auth.revoke') {
      if (state !== 'live') return { status: 200, body: { ok: false, error: state } };
      this.live.delete(token);
      this.revoked.add(token);
      return { status: 200, body: { ok: true, revoked: true } };
    }
    return { status: 404, body: { ok: false, error: 'unknown_method' } };
  }
}
