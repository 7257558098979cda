import type { IncidentInput } from '../../domain/incident';
import { IncidentState } from '../../workflows/incident-state';

/** An API report's first sighting, for incident states built outside a workflow (unit tests). */
const SIGHTING = {
  source: 'api' as const,
  sourceRef: 'r1',
  detectedAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  reportedBy: 'carol',
};

/** An incident's state before planning, as a run's first task has it; `input` overrides the report. */
export function stateBeforePlanning(input: Partial<IncidentInput> = {}): IncidentState {
  return new IncidentState(
    { credentialFingerprint: 'f'.repeat(64), secretId: null, firstSighting: SIGHTING, ...input },
    'leak-x-1',
    'leak-x',
  );
}
