import type { IncidentNotification, Notifier } from '../../integrations/ports';
import { startTestApp, type TestApp } from '../support/app';
import { openIncident, waitForEvidence, waitForPhase } from '../support/incidents';

/** A notifier that holds the first message of each incident back, and records what arrived when. */
function slowFirstNotifier(holdMs: number): Notifier & { arrived: IncidentNotification[] } {
  const arrived: IncidentNotification[] = [];
  return {
    arrived,
    async notify(notification) {
      if (notification.kind === 'incident-opened') await new Promise((resolve) => setTimeout(resolve, holdMs));
      arrived.push(notification);
    },
  };
}

describe('the phase names who was asked, and one incident’s messages arrive in order', () => {
  let app: TestApp;
  const notifier = slowFirstNotifier(1_500);
  beforeAll(async () => {
    app = await startTestApp({ TIMER_CAP_MS: '1500' }, { notifier });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('reads escalated-to-escalation-contacts, naming them, when the team has no backup approver', async () => {
    // Not in the catalog: the default team (security) decides, and it has no backup besides its primary.
    const id = await openIncident(app, { description: 'a token nobody owns, seen in a CI log' });
    const escalated = await waitForPhase(app, id, 'escalated-to-escalation-contacts', 30_000);
    expect(escalated.roles.backup).toBeUndefined();
    expect(escalated.waitingOn.people).toEqual(['erin']);
    const evidence = await waitForEvidence(app, id, 'decision.escalated');
    expect(evidence.find((record) => record.kind === 'decision.escalated')!.details.to).toEqual(['erin']);
  });

  it('escalates a silent backup to the escalation contacts with a phase that says so', async () => {
    const id = await openIncident(app, { secretId: 'payments-db', description: 'seen in a CI log' });
    await waitForPhase(app, id, 'escalated-to-backup', 30_000);
    const overdue = await waitForPhase(app, id, 'escalated-to-escalation-contacts', 30_000);
    expect(overdue.waitingOn.people).toEqual(expect.arrayContaining(['alice', 'grace', 'bob', 'erin']));
  });

  it('delivers "reported" before "needs your decision" even when the first delivery is slow', async () => {
    const id = await openIncident(app, { secretId: 'vendor-api-key', description: 'pasted in a chat' });
    await waitForPhase(app, id, 'awaiting-decision');
    const deadline = Date.now() + 20_000;
    const kinds = () => notifier.arrived.filter((n) => n.incidentId === id).map((n) => n.kind);
    while (!kinds().includes('decision-requested') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    // Held back for 1.5 s, the opening message still arrives first.
    expect(kinds().slice(0, 2)).toEqual(['incident-opened', 'decision-requested']);
  });
});
