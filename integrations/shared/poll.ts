/**
 * How long an adapter keeps asking an eventually consistent provider, and how often. In the product
 * adapters check once (DEFAULT_POLL): the proveCredentialDead activity is the one poller, with
 * heartbeats and the policy's deadline. Adapter tests pass their own bound.
 */
export interface PollBound {
  timeoutMs: number;
  intervalMs: number;
}

export const DEFAULT_POLL: PollBound = { timeoutMs: 0, intervalMs: 0 };

/**
 * Calls `attempt` until it reports done or the bound runs out. Returns the last result either
 * way: the caller turns a timed-out "still alive" into `dead: false`, never into an exception.
 */
export async function pollUntil<T extends { done: boolean }>(
  attempt: () => Promise<T>,
  bound: PollBound,
): Promise<T & { attempts: number }> {
  const deadline = Date.now() + bound.timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const result = await attempt();
    if (result.done || bound.timeoutMs <= 0 || Date.now() + bound.intervalMs > deadline) return { ...result, attempts };
    await new Promise((resolve) => setTimeout(resolve, bound.intervalMs));
  }
}
