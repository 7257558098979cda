import type { EvidenceDraft } from './evidence';

/** How one drill went, measured from its evidence records (workflow time). */
export interface DrillRun {
  incidentId: string;
  drillId?: string;
  trigger: string;
  secretId?: string;
  openedAt: string;
  closed: boolean;
  /** Milliseconds from opening to each step; absent when the step has not happened (yet). */
  msToAcknowledge?: number;
  msToDecide?: number;
  msToContain?: number;
  msToVerify?: number;
  /** Who answered: approvers, delegators, the verifier (catalog person ids). */
  answeredBy: string[];
}

export interface DrillReport {
  team: string;
  drills: DrillRun[];
  /** Medians over the drills that reached each step. */
  medians: { msToAcknowledge?: number; msToDecide?: number; msToContain?: number; msToVerify?: number };
}

type Evidence = Pick<EvidenceDraft, 'kind' | 'at' | 'actor' | 'details' | 'incidentId'>;

/** The first human answer of any kind counts as the acknowledgement. */
const ACKNOWLEDGING = ['decision.approved', 'decision.delegated', 'manual-containment.confirmed'];

/** Measures one drill (or honeytoken exercise) from its records, in seq order. */
export function measureDrill(records: Evidence[]): DrillRun | undefined {
  const opened = records.find((record) => record.kind === 'incident.opened');
  if (!opened) return undefined;
  const start = Date.parse(opened.at);
  const after = (kinds: string[]) => {
    const found = records.find((record) => kinds.includes(record.kind));
    return found ? Date.parse(found.at) - start : undefined;
  };
  const drill = opened.details.drill as { drillId?: string; trigger?: string } | undefined;
  const exercise = opened.details.exercise as { trigger?: string } | undefined;
  const answeredBy = records
    .filter((record) => [...ACKNOWLEDGING, 'verification.confirmed'].includes(record.kind))
    .filter((record) => record.actor.type === 'person')
    .map((record) => record.actor.id);
  return {
    incidentId: opened.incidentId,
    drillId: drill?.drillId,
    trigger: drill?.trigger ?? exercise?.trigger ?? 'on-demand',
    secretId: (opened.details.summary as string | undefined)?.replace(/^incident opened for (\S+).*$/, '$1'),
    openedAt: opened.at,
    closed: records.some((record) => record.kind === 'incident.closed'),
    msToAcknowledge: after(ACKNOWLEDGING),
    msToDecide: after(['decision.made']),
    msToContain: after(['credential.revoked', 'manual-containment.confirmed']),
    msToVerify: after(['verification.confirmed']),
    answeredBy: [...new Set(answeredBy)],
  };
}

export function drillReport(team: string, runs: DrillRun[]): DrillReport {
  const median = (pick: (run: DrillRun) => number | undefined) => {
    const values = runs
      .map(pick)
      .filter((value): value is number => value !== undefined)
      .sort((a, b) => a - b);
    if (values.length === 0) return undefined;
    const middle = Math.floor(values.length / 2);
    return values.length % 2 ? values[middle]! : Math.round((values[middle - 1]! + values[middle]!) / 2);
  };
  return {
    team,
    drills: runs,
    medians: {
      msToAcknowledge: median((run) => run.msToAcknowledge),
      msToDecide: median((run) => run.msToDecide),
      msToContain: median((run) => run.msToContain),
      msToVerify: median((run) => run.msToVerify),
    },
  };
}
