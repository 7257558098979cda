import type { Catalog } from '../domain/catalog';
import { BackstageCatalog } from '../integrations/on-call/backstage';
import { LiveRoleResolver } from '../integrations/on-call/live-roles';
import { OpsgenieOnCall } from '../integrations/on-call/opsgenie';
import { PagerDutyOnCall } from '../integrations/on-call/pagerduty';
import { SlackPeopleByEmail } from '../integrations/slack/people-by-email';
import { createSlackWebClient } from '../integrations/slack/web-client';
import type { Config } from './config';

export class OwnershipSourceError extends Error {}

/**
 * Builds the live role sources the catalog asks for. A catalog that names a source without its
 * credentials refuses to start, naming the team and the setting; none asked for = YAML alone.
 */
export function createLiveRoles(config: Config, catalog: Catalog): LiveRoleResolver | undefined {
  const wants = (source: string) => catalog.teams.filter((team) => team.onCall?.source === source).map((t) => t.id);
  const problems: string[] = [];
  const need = (teams: string[], setting: keyof Config, what: string) => {
    if (teams.length && !config[setting]) problems.push(`team ${teams.join(', ')} takes ${what}: set ${setting}`);
  };
  need(wants('pagerduty'), 'PAGERDUTY_API_TOKEN', 'its on-call from PagerDuty');
  need(wants('opsgenie'), 'OPSGENIE_API_KEY', 'its on-call from Opsgenie');
  const fromBackstage = catalog.secrets.filter((secret) => secret.backstageEntity).map((secret) => secret.id);
  if (fromBackstage.length && !config.BACKSTAGE_URL) {
    problems.push(`secret ${fromBackstage.join(', ')} takes its owner from Backstage: set BACKSTAGE_URL`);
  }
  if (problems.length)
    throw new OwnershipSourceError(`ownership sources are not configured:\n  ${problems.join('\n  ')}`);
  if (!wants('pagerduty').length && !wants('opsgenie').length && !fromBackstage.length) return undefined;
  return new LiveRoleResolver(catalog, {
    pagerduty: config.PAGERDUTY_API_TOKEN
      ? new PagerDutyOnCall({ baseUrl: config.PAGERDUTY_API_URL, token: config.PAGERDUTY_API_TOKEN })
      : undefined,
    opsgenie: config.OPSGENIE_API_KEY
      ? new OpsgenieOnCall({ baseUrl: config.OPSGENIE_API_URL, apiKey: config.OPSGENIE_API_KEY })
      : undefined,
    backstage: config.BACKSTAGE_URL
      ? new BackstageCatalog({ baseUrl: config.BACKSTAGE_URL, token: config.BACKSTAGE_TOKEN })
      : undefined,
    peopleByEmail: config.SLACK_BOT_TOKEN
      ? new SlackPeopleByEmail(createSlackWebClient({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL }))
      : undefined,
  });
}
