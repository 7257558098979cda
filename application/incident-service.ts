import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { invalidInput } from '../domain/errors';
import { sameSecret } from '../integrations/shared/compare';
import type { DrillRef, IncidentInput, IncidentStatus, IncidentSummary } from '../domain/incident';
import {
  IncidentListingSchema,
  IncidentOpeningSchema,
  LISTING_MEMO_KEY,
  OPENING_MEMO_KEY,
  planningListing,
  type IncidentListing,
  type IncidentOpening,
} from '../domain/incident-listing';
import type { CredentialIdentities, IncidentOpener, OwnershipDirectory, SecretVault } from '../integrations/ports';
import type { OpenIncidentCommand, OpenIncidentResult } from '../domain/open-incident';
import { uniqueCredentialId } from '../domain/credential-identity';
import { randomBytes } from 'node:crypto';
import { drillWorkflowId, incidentIdOf, incidentWorkflowId, workflowIdOfIncident } from '../domain/ids';
import type { Fingerprinter } from '../integrations/sealed-values/fingerprint';
// The workflow's messages: the signal a report is, the status query, and one update per kind of answer.
import * as messages from '../workflows/messages';
import { observeSignalWithStart, startedBy } from './signal-with-start';

type ListResponse = Awaited<ReturnType<Client['workflowService']['listWorkflowExecutions']>>;

/** An open incident in the list: its workflow, when it started, and what its memo says of it. */
export interface OpenIncidentEntry {
  workflowId: string;
  startedAt: string;
  listing?: IncidentListing;
}

/**
 * The one door into incident workflows for every edge of the product. Starting is idempotent:
 * the workflow id is a keyed fingerprint of the credential, and signal-with-start either starts
 * the incident or adds the sighting to the one already open. Returns only after Temporal has
 * durably accepted the report.
 */
export class IncidentService implements IncidentOpener {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly directory: OwnershipDirectory,
    private readonly fingerprints: Fingerprinter,
    private readonly vault: SecretVault,
    private readonly identities: CredentialIdentities,
  ) {
    observeSignalWithStart(client);
  }

  async open(reported: OpenIncidentCommand): Promise<OpenIncidentResult> {
    const command = withoutLeakedValueInText(reported);
    const built = await this.buildInput(command);
    const workflowId = incidentWorkflowId(built.credentialFingerprint);
    // Taken only if this report starts a run: an open incident keeps its own id.
    const input = { ...built, incidentId: incidentIdOf(workflowId, randomBytes(4).toString('hex')) };
    const { result: handle, started } = await startedBy(() =>
      this.client.workflow.signalWithStart('leakedSecretIncident', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        memo: { [OPENING_MEMO_KEY]: openingOf(input) },
        signal: messages.reportSightingSignal,
        signalArgs: [
          command.sighting,
          {
            valueFingerprint: input.valueFingerprint,
            sealedValueHandle: input.sealedValueHandle,
            ...(input.secretId ? { secretId: input.secretId } : {}),
          },
        ],
      }),
    );
    // The run this report started has the id it minted; an open one has its own, read from its memo.
    if (started) return { incidentId: input.incidentId, workflowId, secretId: input.secretId };
    const signaled = this.client.workflow.getHandle(workflowId, handle.signaledRunId);
    const { incidentId } = await currentIncidentId(signaled);
    return { incidentId, workflowId, secretId: input.secretId };
  }

  /**
   * People's answers, each sent as its workflow update: the workflow's validator decides whether this
   * person may, and the answer is the status once the main flow has acted on it. The request id is
   * the update id, so a retried request is the same update, answered once.
   */
  readonly decide = this.answering(messages.decideUpdate);
  /** An approver hands the pending decision to a colleague. */
  readonly delegate = this.answering(messages.delegateDecisionUpdate);
  readonly confirmManualContainment = this.answering(messages.confirmManualContainmentUpdate);
  readonly acknowledgeDependent = this.answering(messages.acknowledgeDependentUpdate);
  /** An escalation contact names the verifier when no catalog candidate may verify. */
  readonly assignVerifier = this.answering(messages.assignVerifierUpdate);
  /** A person confirms a dependent candidate of the exposure report; answers once its workload was stopped. */
  readonly confirmDependentCandidate = this.answering(messages.confirmDependentCandidateUpdate);
  readonly verify = this.answering(messages.verifyClosureUpdate);

  /**
   * Starts a drill: the whole runbook for a catalog secret, with real people and messages marked
   * DRILL, against the drill provider. Its own workflow id, so it never joins a real incident; the
   * same drill id twice starts it once.
   */
  async startDrill(drill: DrillRef, secretId: string): Promise<OpenIncidentResult> {
    const workflowId = drillWorkflowId(drill.drillId);
    const now = new Date().toISOString();
    const input: IncidentInput = {
      credentialFingerprint: this.fingerprints.ofIdentity('drill', drill.drillId),
      secretId,
      firstSighting: {
        source: 'drill',
        sourceRef: drill.drillId,
        detectedAt: now,
        receivedAt: now,
        reportedBy: drill.requestedBy,
        notes: `drill of team ${drill.team} (${drill.trigger})`,
      },
      drill,
    };
    try {
      const handle = await this.client.workflow.start('leakedSecretIncident', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        memo: { [OPENING_MEMO_KEY]: openingOf(input) },
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      return { incidentId: incidentIdOf(workflowId, handle.firstExecutionRunId), workflowId, secretId };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const { runId } = await this.client.workflow.getHandle(workflowId).describe();
      return { incidentId: incidentIdOf(workflowId, runId), workflowId, secretId };
    }
  }

  /**
   * Recurring drills: a Temporal Schedule that starts `scheduledDrill` every `everyMs`. One schedule
   * per team and secret; creating it again answers the existing one.
   */
  async scheduleDrills(args: { team: string; secretId: string; requestedBy: string; everyMs: number }) {
    const scheduleId = `drill-schedule-${args.team}-${args.secretId}`;
    try {
      await this.client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: args.everyMs }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'scheduledDrill',
          taskQueue: this.taskQueue,
          workflowId: `${scheduleId}-run`,
          args: [{ team: args.team, secretId: args.secretId, requestedBy: args.requestedBy }],
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      });
      return { scheduleId, created: true };
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      return { scheduleId, created: false };
    }
  }

  /** Fires a drill schedule now (a drill on demand from its schedule; tests, first rehearsal). */
  async triggerDrillSchedule(scheduleId: string): Promise<void> {
    await this.client.schedule.getHandle(scheduleId).trigger();
  }

  /**
   * A function that sends its request to an incident as `update` (see the answers above). An update
   * that came while the incident's local activity ran (the revocation: a few ms, at most its 10-s
   * timeout) is refused before it enters history (workflows/handlers.ts, unlessLocalCall): asked
   * again, with waits doubling from 20 ms, for up to 15 s; then the refusal is the answer (429).
   */
  private answering<Request>(update: UpdateDefinition<IncidentSummary, [Request]>) {
    return async (incidentId: string, request: Request, requestId?: string): Promise<IncidentSummary> => {
      const handle = await this.handle(incidentId);
      const deadline = Date.now() + LOCAL_CALL_PATIENCE_MS;
      for (let wait = 20; ; wait = Math.min(wait * 2, 1_000)) {
        try {
          return await handle.executeUpdate(update, { args: [request], updateId: requestId });
        } catch (error) {
          if (!refusedDuringLocalCall(error) || Date.now() + wait > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    };
  }

  /**
   * Live status; undefined when no such incident exists. A run that has completed answers with its
   * result, the status it ended with: a query would replay its whole history on a worker.
   */
  async status(incidentId: string): Promise<IncidentStatus | undefined> {
    try {
      const handle = await this.handle(incidentId);
      const { runId, status } = await handle.describe();
      if (status.name === 'COMPLETED')
        return (await this.client.workflow
          .getHandle(handle.workflowId, runId, { followRuns: false })
          .result()) as IncidentStatus;
      return await handle.query(messages.getStatusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return this.earlierIncident(incidentId);
      throw error;
    }
  }

  /**
   * An incident that a newer one of the same credential replaced (the value leaked again after it
   * closed; the next incident continues the same workflow as new): its status is that of its last run,
   * found in visibility — the run's result when it completed, else a query, which replays that one
   * closed run. Undefined when no run of the workflow carries this incident id.
   */
  private async earlierIncident(incidentId: string): Promise<IncidentStatus | undefined> {
    const workflowId = workflowIdOfIncident(incidentId);
    if (workflowId === incidentId) return undefined;
    // workflowIdOfIncident only returns ids it matched as leak-/drill- plus hex: safe inside the query.
    for await (const run of this.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const memoId = run.memo?.incidentId;
      const runIncident =
        typeof memoId === 'string' ? memoId : (startedAs(run.memo) ?? incidentIdOf(workflowId, run.runId));
      if (runIncident !== incidentId || run.status.name === 'RUNNING') continue;
      const handle = this.client.workflow.getHandle(workflowId, run.runId, { followRuns: false });
      if (run.status.name === 'COMPLETED') return (await handle.result()) as IncidentStatus;
      return await handle.query(messages.getStatusQuery);
    }
    return undefined;
  }

  /** True once the incident's run has ended, or a newer incident of the credential replaced it. */
  async runEnded(incidentId: string): Promise<boolean> {
    const workflowId = workflowIdOfIncident(incidentId);
    const handle = this.client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    if (incidentId !== workflowId && (await currentIncidentId(handle, description)).incidentId !== incidentId)
      return true;
    return description.status.name !== 'RUNNING';
  }

  /**
   * Incidents still open, newest first (from Temporal's visibility store), each with the listing its
   * workflow keeps in its memo; a run whose first workflow task has not run yet lists from the memo it
   * was started with (planning). Absent only for runs started before either memo existed.
   */
  async listOpen(limit = 100): Promise<OpenIncidentEntry[]> {
    const found: OpenIncidentEntry[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.listOpenPage(Math.min(limit - found.length, 1_000), pageToken);
      found.push(...page.entries);
      pageToken = page.nextPageToken;
    } while (pageToken && found.length < limit);
    return found.slice(0, limit);
  }

  /**
   * One page of `listOpen`: at most `pageSize` incidents, and the token of the next page (opaque,
   * Temporal's) when there is one. A token this service did not give is INVALID_INPUT.
   */
  async listOpenPage(
    pageSize: number,
    pageToken?: string,
  ): Promise<{ entries: OpenIncidentEntry[]; nextPageToken?: string }> {
    // This deployment's incidents only: other deployments (or test apps) may share the namespace.
    const query = `WorkflowType = 'leakedSecretIncident' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.taskQueue}'`;
    const response = await this.client.workflowService.listWorkflowExecutions({
      namespace: this.client.options.namespace,
      query,
      pageSize,
      nextPageToken: pageToken === undefined ? undefined : this.temporalPageToken(pageToken),
    });
    const next = response.nextPageToken?.length ? this.signedPageToken(response.nextPageToken) : undefined;
    return {
      entries: response.executions.map((raw) => this.openEntryOf(raw)),
      ...(next ? { nextPageToken: next } : {}),
    };
  }

  /**
   * Temporal's page token, signed with the deployment's fingerprint key: a token the list did not give
   * is refused here, as bad input, before Temporal reads it (a forged one would fail there as a 500).
   */
  private signedPageToken(token: Uint8Array): string {
    const encoded = Buffer.from(token).toString('base64url');
    return `${encoded}.${this.fingerprints.ofIdentity('list-page', encoded)}`;
  }

  private temporalPageToken(signed: string): Uint8Array {
    const [encoded = '', mac = ''] = signed.split('.');
    if (!sameSecret(mac, this.fingerprints.ofIdentity('list-page', encoded)))
      throw invalidInput('pageToken: not a nextPageToken this list gave; start again without it');
    return Buffer.from(encoded, 'base64url');
  }

  /** An open run as the list shows it: its listing memo, else its start memo (planning). */
  private openEntryOf(raw: ListResponse['executions'][number]): OpenIncidentEntry {
    // The product's client has no payload codec: memo payloads are the payload converter's JSON.
    const converter = this.client.options.loadedDataConverter.payloadConverter;
    const memo = Object.fromEntries(
      Object.entries(raw.memo?.fields ?? {}).map(([key, payload]) => [key, converter.fromPayload(payload)]),
    );
    const workflowId = raw.execution?.workflowId ?? '';
    const runId = raw.execution?.runId ?? '';
    const started = raw.startTime;
    const startedAt = new Date(
      Number(started?.seconds ?? 0) * 1_000 + Math.floor((started?.nanos ?? 0) / 1e6),
    ).toISOString();
    const listing = IncidentListingSchema.safeParse(memo[LISTING_MEMO_KEY]);
    const opening = IncidentOpeningSchema.safeParse(memo[OPENING_MEMO_KEY]);
    const entry = listing.success
      ? listing.data
      : opening.success
        ? provisionalListing(
            { workflowId, runId, firstRunId: raw.firstRunId ?? undefined, memo },
            opening.data,
            startedAt,
          )
        : undefined;
    return { workflowId, startedAt, ...(entry ? { listing: entry } : {}) };
  }

  /**
   * The workflow of an incident. An incident id names one run; when the credential leaked again
   * after that incident closed, the workflow id now belongs to a newer run, and a stale button or
   * URL must not act on it: that is answered as "no such incident".
   */
  private async handle(incidentId: string): Promise<WorkflowHandle> {
    const workflowId = workflowIdOfIncident(incidentId);
    const handle = this.client.workflow.getHandle(workflowId);
    if (incidentId !== workflowId) {
      const { incidentId: current, runId } = await currentIncidentId(handle);
      if (current !== incidentId)
        throw new WorkflowNotFoundError(
          `incident ${incidentId} is over; the credential has a newer incident ${current}`,
          workflowId,
          runId,
        );
    }
    return handle;
  }

  private async buildInput(command: OpenIncidentCommand): Promise<IncidentInput> {
    const known = command.secretId ?? this.directory.findSecret(command.identifiers ?? []);
    const valueFingerprint = command.leakedValue ? this.fingerprints.ofValue(command.leakedValue) : undefined;
    const uniqueId = uniqueCredentialId(command.identifiers ?? []);
    // Identity, most specific first: the catalog entry, a globally unique id, the value, the identifiers.
    const reported = known
      ? this.fingerprints.ofIdentity('catalog', known)
      : uniqueId
        ? this.fingerprints.ofIdentity(uniqueId.kind, uniqueId.id)
        : valueFingerprint
          ? this.fingerprints.ofIdentity('value', valueFingerprint)
          : this.fingerprints.ofIdentity(
              'identifiers',
              [...(command.identifiers ?? [])].sort().join('\n') || command.sighting.sourceRef,
            );
    // A value already reported keeps the identity of its first report, whichever source knew the catalog id.
    const claimed = valueFingerprint
      ? this.identities.claim(valueFingerprint, { credentialFingerprint: reported, secretId: known })
      : Promise.resolve({ credentialFingerprint: reported, secretId: known });
    let sealedValueHandle: string | undefined;
    let sealed: Promise<void> = Promise.resolve();
    if (command.leakedValue) {
      // One sealed copy per report (value + source + the source's reference): a redelivery seals
      // nothing new, and a closing incident destroying its own copy never kills the copy of a later
      // report of the same value, which becomes the next incident (sealing a destroyed handle re-seals).
      const report = `${valueFingerprint}\n${command.sighting.source}\n${command.sighting.sourceRef}`;
      sealedValueHandle = `sv_${this.fingerprints.ofIdentity('sealed-report', report).slice(0, 32)}`;
      sealed = this.vault.sealAs(sealedValueHandle, command.leakedValue, 'leaked');
    }
    // The identity claim and the sealing are independent writes: both at once, one round trip.
    const [{ credentialFingerprint, secretId }] = await Promise.all([claimed, sealed]);
    return {
      credentialFingerprint,
      valueFingerprint,
      secretId,
      description: command.description,
      providerHint: command.providerHint,
      sealedValueHandle,
      firstSighting: command.sighting,
    };
  }
}

/** What the listing of a run shows before its first workflow task (kept in the start memo). */
function openingOf(input: IncidentInput): IncidentOpening {
  return { secretId: input.secretId ?? null, ...(input.incidentId ? { incidentId: input.incidentId } : {}) };
}

/**
 * The listing of a run that has not published its own: planning. Its incident id as currentIncidentId
 * finds it, from visibility alone: the memo's, else the run's own (the opening memo is set only by a
 * client start, a first run; continue-as-new replaces the memo). Undefined when only a query knows.
 */
function provisionalListing(
  execution: { workflowId: string; runId: string; firstRunId?: string; memo: Record<string, unknown> },
  opening: IncidentOpening,
  startedAt: string,
): IncidentListing | undefined {
  const carried = execution.memo.incidentId;
  if (typeof carried === 'string') return planningListing(carried, opening, startedAt);
  if (execution.firstRunId && execution.firstRunId !== execution.runId) return undefined;
  return planningListing(opening.incidentId ?? incidentIdOf(execution.workflowId, execution.runId), opening, startedAt);
}

/** The incident id a first run was started with (its opening memo); undefined for runs from before it. */
function startedAs(memo: Record<string, unknown> | undefined): string | undefined {
  const opening = IncidentOpeningSchema.safeParse(memo?.[OPENING_MEMO_KEY]);
  return opening.success ? opening.data.incidentId : undefined;
}

/**
 * The incident the workflow's current run belongs to. A first run's is the id it was started with
 * (its opening memo), or for runs from before 2026-12-05, derived from its run id. A continued run
 * (a long incident's continue-as-new, or a late report's next incident) names it in its memo or, where the server keeps no memo across runs (the time-skipping test
 * server does not), answers it in its status.
 */
async function currentIncidentId(
  handle: WorkflowHandle,
  described?: WorkflowExecutionDescription,
): Promise<{ incidentId: string; runId: string }> {
  const description = described ?? (await handle.describe());
  const { runId, memo } = description;
  if (typeof memo?.incidentId === 'string') return { incidentId: memo.incidentId, runId };
  const firstRunId = description.raw.workflowExecutionInfo?.firstRunId;
  if (!firstRunId || firstRunId === runId)
    return { incidentId: startedAs(memo) ?? incidentIdOf(handle.workflowId, runId), runId };
  return { incidentId: (await handle.query(messages.getStatusQuery)).incidentId, runId };
}

/**
 * People paste the leaked value into free text too ("found AKIA… / wJalr… in the log"). Every text
 * field that travels on to Temporal, evidence or Slack gets the value blanked out here.
 */
export function withoutLeakedValueInText(command: OpenIncidentCommand): OpenIncidentCommand {
  const value = command.leakedValue;
  if (!value) return command;
  const scrub = (text: string | undefined) =>
    text === undefined ? undefined : text.split(value).join('[leaked value removed]');
  return {
    ...command,
    description: scrub(command.description),
    providerHint: scrub(command.providerHint),
    identifiers: command.identifiers?.map((identifier) => scrub(identifier)!),
    sighting: { ...command.sighting, location: scrub(command.sighting.location), notes: scrub(command.sighting.notes) },
  };
}

/** How long an update refused while the incident's local activity ran is asked again. */
const LOCAL_CALL_PATIENCE_MS = 15_000;

function refusedDuringLocalCall(error: unknown): boolean {
  return (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === messages.LOCAL_CALL_REFUSAL
  );
}
