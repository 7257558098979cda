/** How long proof of death keeps asking an eventually consistent provider, and how often. */
export interface PollBound {
  timeoutMs: number;
  intervalMs: number;
}

export const DEFAULT_POLL: PollBound = { timeoutMs: 60_000, intervalMs: 2_000 };

/**
 * Calls `attempt` until it reports done or the bound runs out. Returns the last result either
 * way: the caller turns a timed-out "still alive" into `settled: false`, never into an exception.
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
    if (result.done || Date.now() + bound.intervalMs > deadline) return { ...result, attempts };
    await new Promise((resolve) => setTimeout(resolve, bound.intervalMs));
  }
}
