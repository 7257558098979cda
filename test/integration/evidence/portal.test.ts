import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { verifyClosureBundle } from '../../../integrations/evidence/verify-bundle';
import { AUDITOR_TOKEN, startAuditServer, type AuditServer } from '../../support/audit-server';
import { recordClosedIncident } from '../../support/evidence-fixtures';

let server: AuditServer;
let browser: BrowserContext;
let page: Page;
const contained = 'leak-00000000000000000000000c-cccccccc';
const falsePositive = 'leak-00000000000000000000000f-ffffffff';

beforeAll(async () => {
  server = await startAuditServer();
  await recordClosedIncident(server.store, {
    incidentId: contained,
    ownerTeam: 'payments',
    detectedAt: '2025-05-01T10:00:00Z',
  });
  await recordClosedIncident(server.store, {
    incidentId: falsePositive,
    ownerTeam: 'identity',
    outcome: 'false-positive',
    detectedAt: '2025-05-02T10:00:00Z',
  });
  await server.archive.sealClosureBundle(contained);
  await server.archive.sealClosureBundle(falsePositive);
  // A fresh, empty profile directory per run: nothing from another session leaks in.
  browser = await chromium.launchPersistentContext(await mkdtemp(path.join(tmpdir(), 'portal-chromium-')), {
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    acceptDownloads: true,
  });
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the auditor portal in a browser', () => {
  it('signs the auditor in, lists incidents, opens one and shows its timeline and verification status', async () => {
    await page.goto(`${server.baseUrl}/audit/`);
    expect(new URL(page.url()).pathname).toBe('/audit/login');

    await page.fill('input[name=token]', 'not-a-token');
    await page.click('button[type=submit]');
    await expect(page.textContent('[role=alert]')).resolves.toMatch(/not an auditor token/);

    await page.fill('input[name=token]', AUDITOR_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.baseUrl}/audit/`);
    const rows = page.locator('[data-testid=incidents] tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    // The auditor's name comes from the catalog and is rendered as text, never markup.
    await expect(page.textContent('header')).resolves.toContain('Signed in as Ada <Auditor>');

    await page.click(`a:has-text("${contained}")`);
    await page.waitForURL(`**/audit/incidents/${contained}`);
    await expect(page.textContent('[data-testid=verification-status]')).resolves.toMatch(
      /^Verified: every record's hash chain is intact/,
    );
    const timeline = await page.locator('[data-testid=timeline] tbody tr').allTextContents();
    expect(timeline.length).toBeGreaterThanOrEqual(15);
    expect(
      timeline.some(
        (row) => row.includes('credential.revoked') && row.includes('person:alice') && row.includes('prod-default@3'),
      ),
    ).toBe(true);
    await expect(page.textContent('[data-testid=controls]')).resolves.toMatch(/RS\.MI-01.*Incidents are contained/s);
  });

  it('filters the list from the form', async () => {
    await page.goto(`${server.baseUrl}/audit/`);
    await page.fill('input[name=ownerTeam]', 'identity');
    await page.click('form.filters button');
    await page.waitForURL(/ownerTeam=identity/);
    const links = await page.locator('[data-testid=incidents] tbody a').allTextContents();
    expect(links).toEqual([falsePositive]);
  });

  it('downloads a bundle that verifies offline', async () => {
    await page.goto(`${server.baseUrl}/audit/incidents/${contained}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download signed bundle')]);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'portal-download-')), download.suggestedFilename());
    await download.saveAs(file);
    expect(verifyClosureBundle(new Uint8Array(await readFile(file)), server.signer.publicKeyPem)).toMatchObject({
      ok: true,
      incidentId: contained,
    });
  });

  it('shows a failed verification naming the record edited in the database', async () => {
    await server.database.query(
      `UPDATE evidence_records SET record = jsonb_set(record, '{details,note}', '"nothing to see"') WHERE incident_id = $1 AND seq = 3`,
      [falsePositive],
    );
    await page.goto(`${server.baseUrl}/audit/incidents/${falsePositive}`);
    const status = await page.textContent('[data-testid=verification-status]');
    expect(status).toMatch(/Verification FAILED/);
    expect(status).toMatch(/live evidence: record seq 3 \(decision\.requested\) .* edited after it was written/);
  });
});
