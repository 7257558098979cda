import { z } from 'zod';
import { PHASES, type IncidentStatus, type Phase } from '../../domain/incident';
import { HttpError } from './http-errors';

/** `GET /api/incidents/:id?waitFor=<phase>&timeoutMs=<ms>`: a long-poll until the incident reaches a phase. */
export const WaitQuerySchema = z.strictObject({
  waitFor: z.enum(PHASES, { message: `waitFor must be a phase: ${PHASES.join(', ')}` }).optional(),
  timeoutMs: z.coerce
    .number()
    .int()
    .min(0)
    .max(120_000, 'timeoutMs: at most 120000 (2 minutes); ask again to wait longer')
    .default(30_000),
});

export interface PhaseSource {
  status(incidentId: string): Promise<IncidentStatus | undefined>;
  /** True once the incident's run has ended (after closure its evidence bundle is sealed). */
  runEnded(incidentId: string): Promise<boolean>;
}

const POLL_MS = 200;

/**
 * Answers once the incident is in `phase` — for `closed`, once its run has ended too, so the sealed
 * closure bundle is there to download. Past the timeout: 408 naming the phase it is still in.
 */
export async function waitForPhase(
  source: PhaseSource,
  incidentId: string,
  phase: Phase,
  timeoutMs: number,
): Promise<IncidentStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await source.status(incidentId);
    if (!status) throw new HttpError(404, `no incident ${incidentId}`, 'NOT_FOUND');
    if (status.phase === phase && (phase !== 'closed' || (await source.runEnded(incidentId)))) return status;
    if (Date.now() >= deadline)
      throw new HttpError(
        408,
        `incident ${incidentId} did not reach phase ${phase} within ${timeoutMs} ms (it is ${status.phase}); ask again`,
        'WAIT_TIMEOUT',
      );
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}
