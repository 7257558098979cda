import type { Logger } from 'pino';
import type { Database } from '../../integrations/database/database';
import type { OwnershipDirectory } from '../../integrations/ports';
import type { Config } from '../../workers/config';
import type { IncidentService } from '../../application/incident-service';

/** What the Slack handlers need of the incident service: the door into workflows. */
export type SlackIncidentService = Pick<
  IncidentService,
  | 'open'
  | 'decide'
  | 'delegate'
  | 'verify'
  | 'confirmManualContainment'
  | 'acknowledgeDependent'
  | 'status'
  | 'listOpen'
>;

export type SlackConfig = Pick<
  Config,
  | 'SLACK_BOT_TOKEN'
  | 'SLACK_SIGNING_SECRET'
  | 'SLACK_APP_TOKEN'
  | 'SLACK_SOCKET_MODE'
  | 'SLACK_API_URL'
  | 'SLACK_BOT_ID'
  | 'SLACK_BOT_USER_ID'
  | 'SLACK_COMMAND'
  | 'SLACK_INCIDENT_CHANNEL_ID'
>;

export interface SlackDeps {
  config: SlackConfig;
  service: SlackIncidentService;
  directory: OwnershipDirectory;
  database: Database;
  logger: Logger;
}
