import type { BlastRadius, ExposureReport, SessionSeen } from '../domain/exposure';
import type { SecretSnapshot } from '../domain/incident';
import type { ActivityDeps } from './deps';
import { heartbeating } from './heartbeat';
import { mappingErrors } from './map-errors';

/** What the workflow asks for an exposure report: ids, catalog data, times; never a value. */
export interface ExposureRequest {
  incidentId: string;
  secret: SecretSnapshot;
  sealedValueHandle?: string;
  leakedAt: string;
  containedAt: string;
  /** Sessions containment ended (PostgreSQL), as the provider saw them. */
  sessionsAtContainment?: SessionSeen[];
}

export interface ExposureAnswer {
  report: ExposureReport;
  /** When the report is preliminary: how long to wait before asking again (late logs). */
  rerunAfterMs?: number;
}

/**
 * Exposure activities. Both only read provider logs, so a retry asks again and changes nothing.
 * The sealed value is opened here, in the activity, for sources searched by a hash of it; only the
 * hash leaves the adapter.
 */
export function createExposureActivities(deps: ActivityDeps) {
  return {
    /** Reads the provider's logs for what the credential did around the leak; a provider without a source says what cannot be known. */
    reportExposure: (request: ExposureRequest): Promise<ExposureAnswer> =>
      mappingErrors(() =>
        heartbeating(async () => {
          const source = deps.exposure?.(request.secret.provider);
          if (!source) return { report: cannotKnow(request) };
          const report = await source.report({
            incidentId: request.incidentId,
            secret: request.secret,
            leakedAt: request.leakedAt,
            containedAt: request.containedAt,
            ...(request.sessionsAtContainment ? { sessionsAtContainment: request.sessionsAtContainment } : {}),
            readLeakedValue: async () =>
              request.sealedValueHandle ? deps.vault.open(request.sealedValueHandle) : undefined,
          });
          if (report.complete) return { report };
          const wait = Math.max(1_000, Date.parse(report.window.to) - Date.now());
          return { report, rerunAfterMs: deps.timerCapMs ? Math.min(wait, deps.timerCapMs) : wait };
        }),
      ),

    /** What the credential may do and when it was last used, for the decision request; null when no source knows. */
    assessBlastRadius: (request: { secret: SecretSnapshot }): Promise<BlastRadius | null> =>
      mappingErrors(() =>
        heartbeating(async () => {
          const source = deps.exposure?.(request.secret.provider);
          return source?.blastRadius ? source.blastRadius(request.secret) : null;
        }),
      ),
  };
}

/** The report of a provider whose logs Tourniquet cannot read: it says so plainly. */
function cannotKnow(request: ExposureRequest): ExposureReport {
  const now = new Date().toISOString();
  return {
    source: 'none',
    provider: request.secret.provider,
    secretId: request.secret.id,
    window: {
      from: request.leakedAt,
      to: request.containedAt,
      leakedAt: request.leakedAt,
      containedAt: request.containedAt,
    },
    queriedAt: now,
    complete: true,
    counts: { baseline: 0, 'during-exposure': 0, 'after-containment': 0, denied: 0 },
    events: [],
    eventsOmitted: 0,
    derivedCredentials: [],
    usedAfterContainment: false,
    candidates: [],
    limits: [],
    cannotKnow: [
      `Tourniquet cannot know what this ${request.secret.provider} credential did between the leak and containment: it reads no usage log of this provider. Ask the issuing team (${request.secret.issuingTeam}) for the provider's own audit log.`,
    ],
    apiCalls: {},
  };
}
