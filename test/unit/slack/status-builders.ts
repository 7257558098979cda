import type { IncidentStatus } from '../../../domain/incident';
import type { IncidentNotification } from '../../../integrations/ports';

/** Builders for Slack rendering tests: a plausible incident status, overridable per test. */
export function aStatus(overrides: Partial<IncidentStatus> = {}): IncidentStatus {
  return {
    incidentId: 'leak-0123456789abcdef01234567-89abcdef',
    workflowId: 'leak-0123456789abcdef01234567',
    phase: 'awaiting-decision',
    secretId: 'payments-db',
    provider: 'postgres',
    tier: 'high',
    ownershipGap: false,
    roles: {
      primary: { id: 'alice', name: 'Alice Owner', slackUserId: 'U0ALICE' },
      backup: { id: 'bob', name: 'Bob Backup', slackUserId: 'U0BOB' },
      verifier: { id: 'carol', name: 'Carol Verifier' },
    },
    waitingOn: { people: ['alice'], for: 'a decision', until: '2030-01-01T10:10:00.000Z' },
    approvals: [],
    decision: null,
    actions: [],
    dependents: [],
    sightings: 1,
    verification: null,
    outcome: null,
    openedAt: '2030-01-01T10:00:00.000Z',
    evidenceCount: 1,
    actionCount: 0,
    timeline: [{ at: '2030-01-01T10:00:00.000Z', kind: 'incident.opened', summary: 'opened' }],
    ...overrides,
  };
}

export function aNotification(overrides: Partial<IncidentNotification> = {}): IncidentNotification {
  const status = overrides.status ?? aStatus();
  return {
    key: `${status.incidentId}:1`,
    kind: 'decision-requested',
    incidentId: status.incidentId,
    to: [status.roles.primary!],
    text: 'A leaked credential needs your decision: payments-db (high).',
    status,
    ...overrides,
  };
}
