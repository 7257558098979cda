import { AsyncLocalStorage } from 'node:async_hooks';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from 'pino';
import { incidentIdOf } from '../domain/ids';

export interface IncidentLogContext {
  incidentId: string;
  workflowId: string;
  activity: string;
}

const context = new AsyncLocalStorage<IncidentLogContext>();

/** The incident whose activity is running now, if any (pino's mixin reads it). */
export function currentIncident(): IncidentLogContext | undefined {
  return context.getStore();
}

/**
 * Runs every activity inside its incident's log context, so each line any adapter or notifier logs
 * while serving it carries `incidentId`, `workflowId` and `activity`; logs each failed attempt.
 * The incident id is the one the activity's input names (evidence, targets, notifications carry
 * it), else derived from the workflow execution.
 */
export function activityLogContext(logger: Logger): ActivityInterceptorsFactory {
  return (ctx) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const { workflowExecution, activityType, attempt } = ctx.info;
        if (!workflowExecution) return next(input);
        // A batch of evidence drafts names its incident in each element.
        const first: unknown = Array.isArray(input.args[0]) ? input.args[0][0] : input.args[0];
        const named = (first as { incidentId?: unknown } | undefined)?.incidentId;
        const incidentId =
          typeof named === 'string' ? named : incidentIdOf(workflowExecution.workflowId, workflowExecution.runId);
        const bound = { incidentId, workflowId: workflowExecution.workflowId, activity: activityType };
        return context.run(bound, async () => {
          try {
            return await next(input);
          } catch (error) {
            const failure = error as { name?: string; message?: string; type?: string };
            logger.warn(
              { attempt, err: { name: failure.name, type: failure.type, message: failure.message } },
              'activity attempt failed',
            );
            throw error;
          }
        });
      },
    };
    return { inbound };
  };
}
