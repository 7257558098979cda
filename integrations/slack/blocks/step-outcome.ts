import type { IncidentSummary } from '../../../domain/incident';
import type { ButtonStep } from './direct-message';
import { escapeMrkdwn, slackDate } from './text';

/**
 * Whether the step a direct message's buttons act on is over, judged from the incident's status,
 * and if so the line that replaces the buttons. A closed incident ends every step; a step that
 * ended on its own terms says how (who decided, verified, contained or acknowledged).
 */
export function stepOutcome(
  step: ButtonStep,
  dependents: readonly string[],
  status: IncidentSummary,
): string | undefined {
  const own = ownOutcome(step, dependents, status);
  if (own) return own;
  return status.phase === 'closed' ? `Closed${status.closedAt ? ` ${slackDate(status.closedAt)}` : ''}` : undefined;
}

function ownOutcome(step: ButtonStep, dependents: readonly string[], status: IncidentSummary): string | undefined {
  switch (step) {
    case 'decide': {
      if (!status.decision) return undefined;
      const { choice, by, at } = status.decision;
      return `Decided: ${choice} by ${escapeMrkdwn(by.join(', '))} at ${slackDate(at)}`;
    }
    case 'verify': {
      const verifiedBy = status.verification?.verifiedBy;
      if (!verifiedBy) return undefined;
      const at = status.verification?.at;
      return `Verified by ${escapeMrkdwn(verifiedBy)}${at ? ` at ${slackDate(at)}` : ''}`;
    }
    case 'manual': {
      const confirmed = status.actions.find((action) => action.kind === 'manual-containment.confirmed');
      return confirmed
        ? `Contained by hand at ${slackDate(confirmed.at)}: ${escapeMrkdwn(confirmed.summary)}`
        : undefined;
    }
    case 'dependents': {
      const states = dependents.map((id) => status.dependents.find((d) => d.id === id));
      if (states.length === 0 || states.some((d) => !d?.acknowledgedBy)) return undefined;
      const ackers = [...new Set(states.map((d) => d?.acknowledgedBy as string))];
      return `Acknowledged by ${escapeMrkdwn(ackers.join(', '))}`;
    }
  }
}
