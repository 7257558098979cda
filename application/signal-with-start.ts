import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@temporalio/client';

/**
 * Whether a signal-with-start started a run or signalled the one already open. The server's answer
 * says so (`started`, since Temporal 1.27), but the SDK's handle keeps only the run id. Knowing it
 * spares a report of a new credential the `describe` that finds the incident id of the run it reached:
 * the run it started has the id the report minted. The answer is read on the client's connection, for
 * the call made inside `startedBy`; everything else about the call (interceptors, tracing headers,
 * retries) stays the SDK's.
 */
const outcomes = new AsyncLocalStorage<{ started?: boolean }>();
const observed = new WeakSet<object>();

/** Makes the signal-with-starts of `client` report their outcome to `startedBy`. Idempotent. */
export function observeSignalWithStart(client: Client): void {
  const service = client.workflowService;
  if (observed.has(service)) return;
  observed.add(service);
  const call = service.signalWithStartWorkflowExecution.bind(service);
  const observing = async (request: Parameters<typeof call>[0]) => {
    const answer = await call(request);
    const outcome = outcomes.getStore();
    if (outcome) outcome.started = answer.started;
    return answer;
  };
  service.signalWithStartWorkflowExecution = observing as typeof service.signalWithStartWorkflowExecution;
}

/**
 * Runs `signalWithStart` (one signal-with-start of an observed client) and answers its result with
 * whether it started a run: true or false as the server said, undefined when the server did not say.
 */
export async function startedBy<T>(signalWithStart: () => Promise<T>): Promise<{ result: T; started?: boolean }> {
  const outcome: { started?: boolean } = {};
  const result = await outcomes.run(outcome, signalWithStart);
  return { result, ...(outcome.started === undefined ? {} : { started: outcome.started }) };
}
