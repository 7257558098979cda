import type { GithubAlertRef, OpenIncidentCommand } from '../../domain/open-incident';
import { githubAlertCommand } from '../intake/github';
import type { GithubAlertReader } from '../ports';
import type { GithubAlertsClient } from './client';

/**
 * The GitHub alert port: fetches the alert (and, for alert events, its first locations) from
 * GitHub's REST API and maps it to the command for IncidentService.open. The command's
 * `leakedValue` carries the secret; it never leaves the activity that calls this.
 */
export function githubAlertReader(alerts: Pick<GithubAlertsClient, 'getAlert' | 'listLocations'>): GithubAlertReader {
  return {
    async commandFor(ref: GithubAlertRef): Promise<OpenIncidentCommand> {
      const alert = await alerts.getAlert(ref.owner, ref.repo, ref.alertNumber);
      const locations = ref.location ? [] : await alerts.listLocations(ref.owner, ref.repo, ref.alertNumber);
      return githubAlertCommand(ref, alert, locations);
    },
  };
}
