import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTestApp, type TestApp } from '../../support/app';
import { eventually } from '../../support/http';
import { decide, openIncident, verify, waitForPhase } from '../../support/incidents';
import { createLoginRole, loginAs } from '../../support/roles';

describe('tracing (OpenTelemetry)', () => {
  const exporter = new InMemorySpanExporter();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, { spanProcessor: new SimpleSpanProcessor(exporter) });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('follows one alert as one trace: HTTP request → signal-with-start → workflow → activity → provider call', async () => {
    const password = await createLoginRole('ops_app');
    const id = await openIncident(app, { secretId: 'ops-db', leakedValue: password });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    await expect(loginAs('ops_app', password)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    expect((await verify(app, id, 'carol')).status).toBe(200);
    await waitForPhase(app, id, 'closed');

    // Workflow spans are exported through a sink when they end, i.e. once the run completes.
    const spans = await eventually(
      async () => exporter.getFinishedSpans(),
      (all) =>
        all.some((s) => s.name === 'provider postgres.revoke') && all.some((s) => s.name.startsWith('RunWorkflow:')),
      30_000,
      'provider and workflow spans',
    );
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const revoke = spans.find((s) => s.name === 'provider postgres.revoke')!;
    const chain: ReadableSpan[] = [];
    for (let span: ReadableSpan | undefined = revoke; span; span = parentOf(span, byId)) chain.push(span);
    const root = chain.at(-1)!;
    // Connected: every ancestor was exported, and the top one has no parent at all.
    expect(root.parentSpanId).toBeUndefined();
    expect(chain.every((s) => s.spanContext().traceId === revoke.spanContext().traceId)).toBe(true);
    const names = chain.map((s) => s.name).reverse();
    expect(names[0]).toBe('HTTP POST /api/incidents');
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SignalWithStartWorkflow:leakedSecretIncident/),
        expect.stringMatching(/^RunWorkflow:leakedSecretIncident/),
        expect.stringMatching(/^RunActivity:/),
        'provider postgres.revoke',
      ]),
    );
    // No span attribute carries the leaked value.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(password);
  });
});

function parentOf(span: ReadableSpan, byId: Map<string, ReadableSpan>): ReadableSpan | undefined {
  if (!span.parentSpanId) return undefined;
  const parent = byId.get(span.parentSpanId);
  if (!parent) throw new Error(`span "${span.name}" has a parent ${span.parentSpanId} that was never exported`);
  return parent;
}
