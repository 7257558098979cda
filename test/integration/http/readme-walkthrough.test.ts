import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { verifyClosureBundle } from '../../../integrations/evidence/verify-bundle';
import { startTestApp, type TestApp } from '../../support/app';

const run = promisify(execFile);
const README = path.join(__dirname, '../../../README.md');

/** The README's walk-through block, exactly as a reader would paste it. */
async function walkThroughScript(): Promise<string> {
  const readme = await readFile(README, 'utf8');
  const section = readme.slice(readme.indexOf('## Walk-through'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README has no bash block under "## Walk-through"');
  return block;
}

describe('the README walk-through, pasted as one block', () => {
  let app: TestApp;
  /** The walk-through's incident (billing-saas-key), closed a few seconds before the next test opens another. */
  let walkedThrough: string | undefined;
  beforeAll(async () => {
    // The example catalog the README talks about, with its demo tokens.
    app = await startTestApp({ CATALOG_PATH: path.join(__dirname, '../../../catalog.example.yaml') });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('runs every step in order and saves a bundle that verifies', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'readme-walkthrough-'));
    // Same script; only the address differs (the test server listens on a free port).
    const script = (await walkThroughScript()).split('http://127.0.0.1:8080').join(app.baseUrl);
    await writeFile(path.join(dir, 'walkthrough.sh'), script);
    // -e: any step that fails (curl -f on a non-2xx) fails the whole walk-through.
    const { stdout } = await run('bash', ['-e', '-o', 'pipefail', 'walkthrough.sh'], {
      cwd: dir,
      timeout: 120_000,
    }).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`the walk-through failed: ${error.message}\n${error.stdout}\n${error.stderr}`);
    });
    const id = JSON.parse(await readFile(path.join(dir, 'incident.json'), 'utf8')).incidentId as string;
    walkedThrough = id;
    expect(stdout).toContain('is not an approver'); // step 3's refusal is shown, not fatal
    expect(stdout).toContain(`"incidentId":"${id}"`);

    // Step 7 waited for the closure: the timeline it printed is of a closed incident.
    expect(stdout).toContain(`{"incidentId":"${id}","phase":"closed","timeline":`);
    // Step 8: the auditor's list (the last thing printed) holds the incident, closed as contained.
    const listed = JSON.parse(stdout.slice(stdout.lastIndexOf('{"items"'))) as {
      items: Array<{ incidentId: string; outcome: string }>;
    };
    expect(listed.items).toContainEqual(expect.objectContaining({ incidentId: id, outcome: 'contained' }));
    const publicKey = await (
      await fetch(`${app.baseUrl}/audit/api/public-key`, { headers: { authorization: 'Bearer demo-token-auditor' } })
    ).text();
    const verification = verifyClosureBundle(await readFile(path.join(dir, 'bundle.json')), publicKey);
    expect(verification).toMatchObject({ ok: true, incidentId: id });
  });

  it('answers a wait that cannot be met with a clear error, never a status', async () => {
    const opened = await fetch(`${app.baseUrl}/api/incidents`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-token-carol', 'content-type': 'application/json' },
      body: JSON.stringify({ secretId: 'billing-saas-key', location: 'https://gist.example/wait' }),
    });
    const { incidentId } = (await opened.json()) as { incidentId: string };
    if (walkedThrough) {
      // The same credential's next incident, opened within a minute of the last: an id of its own (run ids
      // are time-ordered, so ids derived from their first digits were the same), and the closed one still answers.
      expect(incidentId).not.toBe(walkedThrough);
      const closed = await fetch(`${app.baseUrl}/api/incidents/${walkedThrough}`, {
        headers: { authorization: 'Bearer demo-token-alice' },
      });
      expect(((await closed.json()) as { phase: string }).phase).toBe('closed');
    }
    const get = async (query: string) => {
      const response = await fetch(`${app.baseUrl}/api/incidents/${incidentId}?${query}`, {
        headers: { authorization: 'Bearer demo-token-alice' },
      });
      return { status: response.status, body: (await response.json()) as { error?: Record<string, any> } };
    };
    const unknown = await get('waitFor=done');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'INVALID_INPUT', fields: { waitFor: expect.any(String) } });
    const late = await get('waitFor=closed&timeoutMs=300');
    expect(late.status).toBe(408);
    expect(late.body.error).toMatchObject({ code: 'WAIT_TIMEOUT', message: expect.stringContaining('ask again') });
    const reached = await get('waitFor=awaiting-decision');
    expect(reached.status).toBe(200);
    expect(reached.body).toMatchObject({ incidentId, phase: 'awaiting-decision' });
  });
});
