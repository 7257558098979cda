import { App, ExpressReceiver } from '@slack/bolt';
import type { Express, RequestHandler, Response } from 'express';
import { codeForStatus, sendError } from '../http/http-errors';
import { slackLoggerFrom } from '../../integrations/slack/slack-logger';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import type { SlackDeps } from './deps';
import { registerViews } from './views';

export type { SlackDeps, SlackIncidentService } from './deps';

export interface SlackMount {
  readonly bolt: App;
  /** Socket Mode only: opens the WebSocket to Slack. Over HTTP there is nothing to start. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Slack only checks that these look like ids; they keep Bolt from calling auth.test on a request. */
const PLACEHOLDER_BOT_ID = 'B0TOURNIQUET';
const PLACEHOLDER_BOT_USER_ID = 'U0TOURNIQUET';

/**
 * Mounts the Slack surface. Over HTTP, a Bolt ExpressReceiver adds POST /slack/events (slash
 * commands, interactivity and events) to the product's own express app, and Bolt verifies Slack's
 * request signature and timestamp before any handler runs. Call it before the app's 404 handler
 * and before any global body parser: Bolt needs the raw body to check the signature.
 *
 * Bolt starts without reaching Slack: the bot ids come from config and token verification is off,
 * so no auth.test runs at start or on the first request. With SLACK_SOCKET_MODE=true the app
 * receives over a WebSocket instead (for installations behind a firewall) and `start()` opens it.
 */
export function mountSlack(app: Express, deps: SlackDeps): SlackMount {
  const { config } = deps;
  if (!config.SLACK_BOT_TOKEN) throw new Error('SLACK_BOT_TOKEN is required to mount Slack');
  const logger = slackLoggerFrom(deps.logger, 'slack-bolt');
  const common = {
    token: config.SLACK_BOT_TOKEN,
    botId: config.SLACK_BOT_ID ?? PLACEHOLDER_BOT_ID,
    botUserId: config.SLACK_BOT_USER_ID ?? PLACEHOLDER_BOT_USER_ID,
    tokenVerificationEnabled: false,
    logger,
    // Handler-side calls (views.open, replies) must happen within Slack's trigger window: no retries.
    clientOptions: {
      slackApiUrl: apiUrlOf(config.SLACK_API_URL),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    },
  };
  let bolt: App;
  if (config.SLACK_SOCKET_MODE) {
    if (!config.SLACK_APP_TOKEN)
      throw new Error('SLACK_SOCKET_MODE=true needs SLACK_APP_TOKEN (an xapp- token with connections:write)');
    bolt = new App({
      ...common,
      socketMode: true,
      appToken: config.SLACK_APP_TOKEN,
      installerOptions: { clientOptions: { slackApiUrl: common.clientOptions.slackApiUrl } },
    });
  } else {
    if (!config.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is required unless SLACK_SOCKET_MODE=true');
    app.use('/slack', refusalsInOneShape());
    const receiver = new ExpressReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET,
      app,
      endpoints: '/slack/events',
      logger,
    });
    bolt = new App({ ...common, receiver });
  }
  registerCommands(bolt, deps);
  registerActions(bolt, deps);
  registerViews(bolt, deps);
  bolt.error(async (error) => {
    deps.logger.error(
      { component: 'slack', code: (error as { code?: string }).code, err: error.message },
      'slack handler failed',
    );
  });
  return {
    bolt,
    start: async () => {
      if (config.SLACK_SOCKET_MODE) await bolt.start();
    },
    stop: async () => {
      if (config.SLACK_SOCKET_MODE) await bolt.stop();
    },
  };
}

function apiUrlOf(url: string | undefined): string {
  const base = url ?? 'https://slack.com/api/';
  return base.endsWith('/') ? base : `${base}/`;
}

const REFUSALS: Record<number, string> = {
  400: 'not a Slack request Tourniquet can read',
  401: 'the Slack request signature or timestamp did not verify: check SLACK_SIGNING_SECRET and the clock',
  413: 'request body is too large',
};

/**
 * Bolt refuses a request it cannot verify or read with an empty body; the product answers every
 * refusal in its one error shape, so those get it too.
 */
function refusalsInOneShape(): RequestHandler {
  return (_req, res, next) => {
    const send = res.send.bind(res);
    res.send = ((body?: unknown) => {
      res.send = send;
      if (res.statusCode < 400 || (body !== undefined && body !== '')) return send(body);
      sendError(res, res.statusCode, codeForStatus(res.statusCode), REFUSALS[res.statusCode] ?? 'refused');
      return res;
    }) as Response['send'];
    next();
  };
}
