import type { ProviderAnswer } from '../domain/evidence';
import { configurationError, invalidInput } from '../domain/errors';
import type { SourceAlertRef } from '../domain/incident';
import type { ActivityDeps } from './deps';
import { mappingErrors } from './map-errors';

export interface CloseSourceAlertsInput {
  incidentId: string;
  alerts: SourceAlertRef[];
}

export interface ClosedSourceAlert {
  alert: SourceAlertRef;
  answer: ProviderAnswer;
}

/** GitHub keeps at most this many characters of a resolution comment. */
const COMMENT_MAX = 270;

/** Activities that tell the scanning sources an incident's credential was revoked. */
export function createSourceAlertActivities(deps: ActivityDeps) {
  return {
    /**
     * Closes each alert as revoked, with a link to the incident's audit page. Safe to retry: the
     * resolver checks the alert's state first, so an alert closed by an earlier attempt is answered
     * as already done and never patched twice. Fails with the first alert that cannot be closed.
     */
    async closeSourceAlerts(input: CloseSourceAlertsInput): Promise<ClosedSourceAlert[]> {
      return mappingErrors(async () => {
        if (!input.incidentId) throw invalidInput('incidentId: required');
        const resolver = deps.sourceAlerts;
        if (!resolver)
          throw configurationError('no source alert resolver is configured: set GITHUB_TOKEN to close GitHub alerts');
        const comment = resolutionComment(input.incidentId, deps.publicBaseUrl?.());
        const closed: ClosedSourceAlert[] = [];
        for (const alert of input.alerts) {
          closed.push({
            alert,
            answer: await resolver.resolveAlertAsRevoked(alert.repository, alert.number, comment),
          });
        }
        return closed;
      });
    },
  };
}

/** `Revoked by Tourniquet, incident <id>: <base>/audit/incidents/<id>`, within GitHub's 270 characters. */
export function resolutionComment(incidentId: string, publicBaseUrl: string | undefined): string {
  const prefix = `Revoked by Tourniquet, incident ${incidentId}`;
  if (!publicBaseUrl) return prefix.slice(0, COMMENT_MAX);
  const link = `${publicBaseUrl.replace(/\/+$/, '')}/audit/incidents/${encodeURIComponent(incidentId)}`;
  const full = `${prefix}: ${link}`;
  // A truncated link is useless: keep the link whole and shorten the words before it.
  if (full.length <= COMMENT_MAX) return full;
  return link.length <= COMMENT_MAX ? link : prefix.slice(0, COMMENT_MAX);
}
