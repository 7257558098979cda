import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for GitHub's secret scanning REST API: GET .../secret-scanning/alerts/{n}
 * and .../locations, bearer-token checked. Tests seed alerts and can make the next calls fail
 * (status + optional headers) to exercise retries and the error taxonomy.
 */
export interface FakeGithubAlertsApi {
  url: string;
  token: string;
  setAlert(owner: string, repo: string, alert: Record<string, unknown>, locations?: unknown[]): void;
  /** The next `times` requests answer `status` (with `headers`) instead of the alert. */
  failNext(times: number, status: number, headers?: Record<string, string>, body?: unknown): void;
  /** Paths requested so far (with query string). */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeGithubAlertsApi(token = 'ghs_fakeInstallationToken0123456789'): Promise<FakeGithubAlertsApi> {
  const alerts = new Map<string, { alert: Record<string, unknown>; locations: unknown[] }>();
  const failures: Array<{ status: number; headers: Record<string, string>; body: unknown }> = [];
  const requests: string[] = [];

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Bad credentials' });
    const failure = failures.shift();
    if (failure) return send(failure.status, failure.body, failure.headers);
    const match = /^\/repos\/([^/]+)\/([^/]+)\/secret-scanning\/alerts\/(\d+)(\/locations)?(\?.*)?$/.exec(req.url ?? '');
    const entry = match ? alerts.get(`${match[1]}/${match[2]}#${match[3]}`) : undefined;
    if (!match || !entry || req.method !== 'GET') return send(404, { message: 'Not Found' });
    return send(200, match[4] ? entry.locations : entry.alert);
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
