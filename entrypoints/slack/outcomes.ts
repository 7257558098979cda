import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Logger } from 'pino';
import type { IncidentSummary } from '../../domain/incident';
import { phaseLabel } from '../../integrations/slack/blocks/card';
import { escapeMrkdwn, slackDate } from '../../integrations/slack/blocks/text';
import type { SlackIncidentService } from './deps';

/**
 * Turns the result of a Workflow Update into the sentence the clicker reads. A validator rejection
 * (not the current approver, already decided...) changed nothing in the workflow: we say why, and
 * for a decision we look the incident up to say who decided and when.
 */
export async function describeUpdate(
  service: SlackIncidentService,
  logger: Logger,
  incidentId: string,
  what: 'decision' | 'delegation' | 'verification' | 'manual confirmation' | 'acknowledgement',
  run: () => Promise<IncidentSummary>,
): Promise<string> {
  try {
    const status = await run();
    return `:white_check_mark: Your ${what} is recorded. ${progress(status)}`;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      return `:grey_question: No incident \`${escapeMrkdwn(incidentId)}\` is open.`;
    if (error instanceof WorkflowUpdateFailedError) {
      const why = error.cause?.message ?? error.message;
      const status = await service.status(incidentId).catch(() => undefined);
      if (what === 'decision' && status?.decision)
        return `:information_source: ${alreadyDecided(status)} Nothing changed. (${escapeMrkdwn(why)})`;
      return `:no_entry: Refused: ${escapeMrkdwn(why)}. Nothing changed.`;
    }
    logger.error(
      { incidentId, err: error instanceof Error ? error.message : String(error) },
      'slack click could not reach the incident',
    );
    return ':warning: I could not reach the incident right now; nothing was recorded. Please try again in a minute.';
  }
}

export function alreadyDecided(status: IncidentSummary): string {
  const decision = status.decision;
  if (!decision) return 'Not decided yet.';
  return `Already decided: *${decision.choice}* by ${escapeMrkdwn(decision.by.join(', '))} at ${slackDate(decision.at)}.`;
}

function progress(status: IncidentSummary): string {
  if (status.decision) return `Decision: *${status.decision.choice}*. Step now: ${phaseLabel(status.phase)}.`;
  if (status.approvals.length > 0)
    return `Approvals so far: ${status.approvals.length}. Step now: ${phaseLabel(status.phase)}.`;
  return `Step now: ${phaseLabel(status.phase)}.`;
}
