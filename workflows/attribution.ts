import type { EvidenceDelegator } from '../domain/evidence';
import type { Sighting } from '../domain/incident';
import type { IncidentState } from './incident-state';
import { hasPatch } from './patches';

/**
 * Who delegated an action, in the shape docs/auditors.md promises: a catalog person with their
 * Slack id, the policy for automatic actions, or the detector for a scanner's report. Behind a
 * patch: runs from before it wrote `{type: 'source', id: <person>}` and verifiers without Slack ids.
 */
const PATCH = 'person-delegators';

/** A catalog person, with their Slack id when the incident knows it. */
export function personDelegator(state: IncidentState, id: string, slackUserId?: string): EvidenceDelegator {
  return { type: 'person', id, slackUserId: slackUserId ?? state.person(id)?.slackUserId };
}

/** Who a report came from: the catalog person who reported it (API, Slack, drill), else the detector. */
export function reporterDelegator(state: IncidentState, sighting: Sighting): EvidenceDelegator {
  if (!hasPatch(PATCH)) return { type: 'source', id: sighting.reportedBy };
  if (sighting.reporter) return personDelegator(state, sighting.reporter.id, sighting.reporter.slackUserId);
  if (sighting.source === 'drill') return personDelegator(state, sighting.reportedBy);
  return { type: 'source', id: sighting.source };
}

/** The verifier who confirmed closure. */
export function verifierDelegator(state: IncidentState, id: string): EvidenceDelegator {
  return hasPatch(PATCH) ? personDelegator(state, id) : { type: 'person', id };
}
