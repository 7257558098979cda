import { FakeSlackWebApi } from '../../fakes/slack-web-api';
import { startTestApp, type TestApp } from '../../support/app';
import { createHmac, randomBytes } from 'node:crypto';

/**
 * Builds and sends requests the way Slack does: form-encoded bodies signed with the app's signing
 * secret (v0 HMAC-SHA256 of `v0:<timestamp>:<body>`), with overridable timestamp, signature and
 * retry headers so tests can forge, replay and age them.
 */

export const SIGNING_SECRET = `test-signing-secret-${randomBytes(8).toString('hex')}`;
export const TEAM_ID = 'T0TEST';

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  secret?: string;
  timestamp?: number;
  signature?: string;
  retryNum?: number;
}

export interface SlackHttpAnswer {
  status: number;
  text: string;
  json: any;
  ms: number;
}

export async function sendSigned(baseUrl: string, body: string, options: SendOptions = {}): Promise<SlackHttpAnswer> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? sign(options.secret ?? SIGNING_SECRET, timestamp, body),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const started = performance.now();
  const response = await fetch(`${baseUrl}/slack/events`, { method: 'POST', headers, body });
  const text = await response.text();
  const ms = performance.now() - started;
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, ms };
}

export function slashCommandBody(fields: {
  user: string;
  text: string;
  responseUrl: string;
  channel?: string;
  command?: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: TEAM_ID,
    team_domain: 'acme',
    channel_id: fields.channel ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: fields.user,
    user_name: fields.user.toLowerCase(),
    command: fields.command ?? '/tourniquet',
    text: fields.text,
    api_app_id: 'A0TOURNIQUET',
    response_url: fields.responseUrl,
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
  }).toString();
}

export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** What every interaction payload says of who sent it from which workspace and app. */
function sentBy(user: string, triggerId = `${Date.now()}.${randomBytes(4).toString('hex')}`) {
  return {
    team: { id: TEAM_ID, domain: 'acme' },
    user: { id: user, username: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0TOURNIQUET',
    token: 'deprecated-verification-token',
    trigger_id: triggerId,
  };
}

/** A click on a button of one of our messages, as Slack's block_actions payload carries it. */
export function buttonClick(fields: {
  user: string;
  actionId: string;
  value: string;
  messageTs: string;
  channel: string;
  responseUrl: string;
  triggerId?: string;
}) {
  return {
    type: 'block_actions',
    ...sentBy(fields.user, fields.triggerId),
    container: { type: 'message', message_ts: fields.messageTs, channel_id: fields.channel, is_ephemeral: false },
    channel: { id: fields.channel, name: 'directmessage' },
    message: { type: 'message', ts: fields.messageTs, text: '' },
    response_url: fields.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: 'tq_actions',
        value: fields.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/**
 * The click of `user` on `button` of the recorded message `message`, as the form body Slack posts;
 * Slack's answer for it goes to `responseUrl`.
 */
export function clickOn(
  user: string,
  message: { ts: string; channel: string },
  button: { actionId: string; value: string },
  responseUrl: string,
): string {
  const { actionId, value } = button;
  return interactionBody(
    buttonClick({ user, actionId, value, messageTs: message.ts, channel: message.channel, responseUrl }),
  );
}

/** A modal submission; `values` maps block id to the element state Slack would send. */
export function viewSubmission(fields: {
  user: string;
  callbackId: string;
  viewId: string;
  privateMetadata?: string;
  values: Record<string, Record<string, unknown>>;
}) {
  return {
    type: 'view_submission',
    ...sentBy(fields.user),
    view: {
      id: fields.viewId,
      team_id: TEAM_ID,
      type: 'modal',
      callback_id: fields.callbackId,
      private_metadata: fields.privateMetadata ?? '',
      state: {
        values: Object.fromEntries(
          Object.entries(fields.values).map(([block, element]) => [block, { value: element }]),
        ),
      },
      hash: 'h',
      title: { type: 'plain_text', text: 't' },
      blocks: [],
      app_id: 'A0TOURNIQUET',
      bot_id: 'B0TOURNIQUET',
      root_view_id: fields.viewId,
      previous_view_id: null,
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
    },
    response_urls: [],
  };
}

/** The value and action id of a button in a recorded chat.postMessage call. */
export function buttonIn(
  blocks: unknown,
  actionPrefix: string,
  predicate: (value: any) => boolean = () => true,
): { actionId: string; value: string } | undefined {
  const list = Array.isArray(blocks)
    ? (blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>)
    : [];
  for (const block of list) {
    for (const element of block.elements ?? []) {
      if (element.action_id?.startsWith(actionPrefix) && element.value && predicate(JSON.parse(element.value)))
        return { actionId: element.action_id, value: element.value };
    }
  }
  return undefined;
}

/**
 * The product with Slack on, its Web API pointed at a loopback fake, for one describe block:
 * started before its tests, stopped after. Read `.app` and `.slack` inside the tests.
 */
export function useSlackApp(overrides: Record<string, string> = {}): { app: TestApp; slack: FakeSlackWebApi } {
  const context = {} as { app: TestApp; slack: FakeSlackWebApi };
  beforeAll(async () => {
    context.slack = await new FakeSlackWebApi().start();
    context.app = await startTestApp({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: context.slack.apiUrl,
      ...overrides,
    });
  });
  afterAll(async () => {
    await context.app?.stop();
    await context.slack?.stop();
  });
  return context;
}
