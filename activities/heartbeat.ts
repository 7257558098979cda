import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every `everyMs`, so that a worker dying in the middle is noticed at
 * the stub's heartbeat timeout and the work retried on another worker, instead of waiting out a long
 * start-to-close timeout. Outside an activity (a direct call in a unit test) it only runs `work`.
 */
export async function heartbeating<T>(work: () => Promise<T>, everyMs = 5_000): Promise<T> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return work();
  }
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
