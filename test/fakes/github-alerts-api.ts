import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for GitHub's secret scanning REST API: GET .../secret-scanning/alerts/{n}
 * and .../locations, and PATCH .../alerts/{n} (update an alert), bearer-token checked. Tests seed
 * alerts and can make the next calls fail (status + optional headers) to exercise retries and the
 * error taxonomy. PATCH answers like GitHub: 422 for a resolved state without a valid resolution
 * or a comment over 270 characters, 200 with the updated alert otherwise.
 */
export interface FakeGithubAlertsApi {
  url: string;
  token: string;
  setAlert(owner: string, repo: string, alert: Record<string, unknown>, locations?: unknown[]): void;
  /** The next `times` requests answer `status` (with `headers`) instead of the alert. */
  failNext(times: number, status: number, headers?: Record<string, string>, body?: unknown): void;
  /** The next `times` PATCH requests answer `status` (GETs are unaffected). */
  failNextPatch(times: number, status: number, body?: unknown): void;
  /** Paths requested so far (with query string). */
  requests: string[];
  /** Every PATCH received (after the token check), with its parsed body. */
  patches: Array<{ path: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startFakeGithubAlertsApi(
  token = 'ghs_fakeInstallationToken0123456789',
): Promise<FakeGithubAlertsApi> {
  const alerts = new Map<string, { alert: Record<string, unknown>; locations: unknown[] }>();
  const failures: Array<{ status: number; headers: Record<string, string>; body: unknown }> = [];
  const patchFailures: Array<{ status: number; body: unknown }> = [];
  const requests: string[] = [];
  const patches: FakeGithubAlertsApi['patches'] = [];

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Bad credentials' });
      const failure = failures.shift();
      if (failure) return send(failure.status, failure.body, failure.headers);
      const match = /^\/repos\/([^/]+)\/([^/]+)\/secret-scanning\/alerts\/(\d+)(\/locations)?(\?.*)?$/.exec(
        req.url ?? '',
      );
      const entry = match ? alerts.get(`${match[1]}/${match[2]}#${match[3]}`) : undefined;
      if (!match || !entry) return send(404, { message: 'Not Found' });
      if (req.method === 'GET') return send(200, match[4] ? entry.locations : entry.alert);
      if (req.method !== 'PATCH' || match[4]) return send(404, { message: 'Not Found' });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(400, { message: 'Problems parsing JSON' });
      }
      patches.push({ path: req.url ?? '', body });
      const patchFailure = patchFailures.shift();
      if (patchFailure) return send(patchFailure.status, patchFailure.body);
      const problem = patchProblem(body);
      if (problem) return send(422, { message: problem });
      Object.assign(entry.alert, {
        state: body.state,
        resolution: body.state === 'resolved' ? body.resolution : null,
        resolution_comment: body.state === 'resolved' ? (body.resolution_comment ?? null) : null,
        resolved_at: body.state === 'resolved' ? new Date().toISOString() : null,
        resolved_by: body.state === 'resolved' ? { login: 'tourniquet[bot]', type: 'Bot' } : null,
        updated_at: new Date().toISOString(),
      });
      return send(200, entry.alert);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    setAlert(owner, repo, alert, locations = []) {
      alerts.set(`${owner}/${repo}#${String(alert.number)}`, { alert, locations });
    },
    failNext(times, status, headers = {}, body = { message: 'Server Error' }) {
      for (let i = 0; i < times; i += 1) failures.push({ status, headers, body });
    },
    failNextPatch(times, status, body = { message: 'Server Error' }) {
      for (let i = 0; i < times; i += 1) patchFailures.push({ status, body });
    },
    patches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const RESOLUTIONS = ['false_positive', 'wont_fix', 'revoked', 'used_in_tests'];

/** GitHub's validation of an alert update, as documented: what a 422 would say, or undefined. */
function patchProblem(body: Record<string, unknown>): string | undefined {
  if (body.state !== 'open' && body.state !== 'resolved') return 'state must be "open" or "resolved"';
  if (body.state === 'resolved' && !RESOLUTIONS.includes(String(body.resolution)))
    return 'State does not match the resolution or resolution comment';
  if (body.state === 'open' && body.resolution_comment != null)
    return 'resolution_comment must be null when reopening an alert';
  if (typeof body.resolution_comment === 'string' && body.resolution_comment.length > 270)
    return 'resolution_comment is too long (maximum is 270 characters)';
  return undefined;
}
