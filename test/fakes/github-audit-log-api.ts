import { LoopbackFake, type FakeReply, type FakeRequest } from './loopback-server';

/**
 * A loopback fake of GitHub's organization audit log API (`GET /orgs/{org}/audit-log`, Enterprise
 * Cloud). It answers `phrase=hashed_token:"<base64>"` searches with the events stored under that
 * exact form (GitHub stores the token's SHA-256 in base64), `per_page` per page with a Link header,
 * and 404 for any other organization (no Enterprise Cloud audit log).
 */
export interface AuditEventInput {
  hashedToken: string;
  at: Date;
  action: string;
  actor?: string;
  actorIp?: string;
  userAgent?: string;
  repo?: string;
}

export class FakeGitHubAuditLog {
  readonly fake: LoopbackFake;
  private readonly events: Array<AuditEventInput & { id: string }> = [];

  constructor(
    private readonly organization: string,
    private readonly token: string,
  ) {
    this.fake = new LoopbackFake((request) => this.handle(request));
  }

  start(): Promise<string> {
    return this.fake.start();
  }

  stop(): Promise<void> {
    return this.fake.stop();
  }

  add(input: AuditEventInput): void {
    this.events.push({ ...input, id: `doc-${this.events.length + 1}` });
  }

  /** The `phrase` of every search asked. */
  phrases(): string[] {
    return this.fake.requests.map((r) => new URL(r.path, 'http://x').searchParams.get('phrase') ?? '');
  }

  private handle(request: FakeRequest): FakeReply {
    const url = new URL(request.path, 'http://x');
    if (request.headers.authorization !== `Bearer ${this.token}`)
      return { status: 401, body: { message: 'Bad credentials' } };
    if (url.pathname !== `/orgs/${this.organization}/audit-log`) return { status: 404, body: { message: 'Not Found' } };
    const phrase = url.searchParams.get('phrase') ?? '';
    const hashed = /hashed_token:"([^"]+)"/.exec(phrase)?.[1];
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const matching = this.events
      .filter((e) => e.hashedToken === hashed)
      .sort((a, b) => b.at.getTime() - a.at.getTime());
    const slice = matching.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < matching.length) {
      url.searchParams.set('page', String(page + 1));
      headers.link = `<http://${String(request.headers.host)}${url.pathname}?${url.searchParams.toString()}>; rel="next"`;
    }
    return {
      status: 200,
      headers,
      body: slice.map((e) => ({
        '@timestamp': e.at.getTime(),
        _document_id: e.id,
        action: e.action,
        actor: e.actor ?? 'octocat',
        ...(e.actorIp ? { actor_ip: e.actorIp } : {}),
        ...(e.userAgent ? { user_agent: e.userAgent } : {}),
        ...(e.repo ? { repo: e.repo } : {}),
        org: this.organization,
        hashed_token: e.hashedToken,
        programmatic_access_type: 'Personal access token (classic)',
      })),
    };
  }
}
