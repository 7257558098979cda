import { allHandlersFinished, condition, log, makeContinueAsNewFunc } from '@temporalio/workflow';
import type { IncidentCarry, ResumePoint } from '../domain/incident-carry';
import type { IncidentInput, IncidentStatus } from '../domain/incident';
import { awaitExposureReport } from './exposure-phase';
import { carryOf, type IncidentState } from './incident-state';
import { hasPatch } from './patches';

/**
 * Continues the incident as a new run, carrying its state and where it waits (with the deadlines
 * of its timers). Called only from a wait, when `state.rollOverDue()`: after every update and
 * signal handler has finished, a running exposure report is complete, and what was in flight
 * (evidence batches, notifications) has been delivered; evidence still queued and sealed copies still
 * to destroy travel in the carry, so nothing is lost and a stream of sightings cannot hold the run
 * open. The incident id travels in the memo, so the API keeps finding the incident under its id.
 */
export async function rollOver(state: IncidentState, resume: ResumePoint): Promise<never> {
  await condition(allHandlersFinished);
  await awaitExposureReport(state);
  // Runs from before the patch drained the evidence queue, chasing sightings that kept arriving.
  if (hasPatch('bounded-roll-over')) await state.settleForRollOver();
  else {
    do await state.flush();
    while (state.evidencePending);
  }
  const carry = carryOf(state, resume);
  log.info('incident continues as new', { incidentId: state.incidentId, run: carry.runs, resume: resume.step });
  const next = makeContinueAsNewFunc<(input: IncidentInput, carry?: IncidentCarry) => Promise<IncidentStatus>>({
    memo: { incidentId: state.incidentId },
  });
  return next(inputOfNextRun(state.input), carry);
}

/** The input a continued run starts from: the incident's own report, without what the first run already recorded. */
function inputOfNextRun(input: IncidentInput): IncidentInput {
  return { ...input, lateSightings: undefined };
}
