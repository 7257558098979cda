import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../../support/app';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../../support/incidents';
import { declaredNames, familyNames, scrape, parseExposition } from '../../support/metrics';
import { freePort } from '../../support/processes';
import { createLoginRole } from '../../support/roles';
import { bridgeTemporalLogs } from '../../../workers/temporal-runtime';
import { createLogger } from '../../../workers/logger';
import { eventually } from '../../support/http';

const OPS = join(__dirname, '../../../ops');

const DashboardSchema = z.object({
  title: z.string(),
  uid: z.string(),
  panels: z
    .array(
      z.object({
        title: z.string(),
        type: z.string(),
        targets: z.array(z.object({ expr: z.string().min(1) })).min(1),
      }),
    )
    .min(1),
});
const RulesSchema = z.object({
  groups: z
    .array(
      z.object({
        name: z.string(),
        rules: z
          .array(
            z.object({
              alert: z.string(),
              expr: z.string().min(1),
              for: z.string().optional(),
              labels: z.object({ severity: z.enum(['page', 'ticket']) }),
              annotations: z.object({ summary: z.string(), description: z.string() }),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

/** Metric names an expression uses: identifiers of ours (tourniquet_*) and the SDK's (temporal_*). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:tourniquet|temporal)_[a-z0-9_]+)/g)].map((m) => m[1]!);
}

describe('ops/: the Grafana dashboard and Prometheus alert rules', () => {
  let app: TestApp;
  let sdkMetricsUrl: string;
  beforeAll(async () => {
    // The Temporal SDK serves its worker metrics on their own port (TEMPORAL_METRICS_ADDRESS).
    const port = await freePort();
    sdkMetricsUrl = `http://127.0.0.1:${port}`;
    bridgeTemporalLogs(createLogger('warn'), 'WARN', `127.0.0.1:${port}`);
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('parse, and use only metric names that /metrics and the SDK endpoint expose after a test incident', async () => {
    const dashboard = DashboardSchema.parse(JSON.parse(readFileSync(join(OPS, 'grafana/tourniquet.json'), 'utf8')));
    const rules = RulesSchema.parse(parse(readFileSync(join(OPS, 'prometheus/alerts.yml'), 'utf8')));
    const used = new Set([
      ...dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => metricNames(target.expr))),
      ...rules.groups.flatMap((group) => group.rules.flatMap((rule) => metricNames(rule.expr))),
    ]);
    expect(used.size).toBeGreaterThan(10);

    const password = await createLoginRole('ops_app');
    const id = await openIncident(app, { secretId: 'ops-db', leakedValue: password });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol')).status).toBe(200);
    await waitForEvidence(app, id, 'incident.closed');

    const ours = await eventually(
      () => scrape(app.baseUrl),
      (samples) => samples.some((s) => s.name === 'tourniquet_time_to_close_seconds_count' && s.value > 0),
      30_000,
      'closure metrics',
    );
    expect(ours.some((s) => s.name === 'tourniquet_incidents_closed_total' && s.value === 1)).toBe(true);
    const ourText = await (await fetch(`${app.baseUrl}/metrics`)).text();
    const sdkText = await (await fetch(`${sdkMetricsUrl}/metrics`)).text();
    const present = new Set([...declaredNames(ourText), ...familyNames(parseExposition(sdkText))]);
    expect([...used].filter((name) => !present.has(name))).toEqual([]);
  });
});
