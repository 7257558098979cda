import { eventually } from '../../support/http';
import { buttonIn, clickOn, interactionBody, sendSigned, useSlackApp, viewSubmission } from './slack-requests';

/**
 * An incident reported through the Slack modal while Slack's API misbehaves, nobody answers in
 * time, and the backup closes it as a false positive with a reason.
 */
describe('escalation and Slack outages', () => {
  const context = useSlackApp({ TIMER_CAP_MS: '1500' });

  it('retries a 429 after Retry-After and a 503, escalates to the backup by DM and on the card, and takes a false positive with a reason', async () => {
    context.slack.rateLimitFor('conversations.create', 800, 1);
    context.slack.failNext('chat.update', { status: 503 });

    const submitted = await sendSigned(
      context.app.baseUrl,
      interactionBody(
        viewSubmission({
          user: 'U0ALICE',
          callbackId: 'tq_open_incident',
          viewId: 'V0OPEN1',
          values: {
            secret: { type: 'static_select', selected_option: { value: 'payments-db' } },
            location: { type: 'plain_text_input', value: 'https://git.example/payments/.env' },
            severity: { type: 'static_select', selected_option: { value: 'high' } },
            flags: { type: 'checkboxes', selected_options: [] },
          },
        }),
      ),
    );
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe('');
    const openedReply = await context.slack.waitFor('the opened reply', (s) =>
      s.postedTo('U0ALICE').find((m) => String(m.args['text']).includes('is open')),
    );
    const id = /`(leak-[0-9a-f-]+)`/.exec(String(openedReply.args['text']))?.[1] as string;
    expect(id).toBeTruthy();

    // Retried after Slack's Retry-After (1 s), sooner than the retry policy's own 2 s first backoff.
    const created = await context.slack.waitFor(
      'a retried channel creation',
      (s) => s.okCallsOf('conversations.create')[0],
    );
    const firstLimited = context.slack.callsOf('conversations.create')[0]!;
    expect(firstLimited.status).toBe(429);
    expect(created.at - firstLimited.at).toBeGreaterThanOrEqual(900);
    expect(created.at - firstLimited.at).toBeLessThan(1900);
    expect(context.slack.okCallsOf('conversations.create')).toHaveLength(1);

    // Nobody decides within the (capped) decision timeout: the backup gets the buttons.
    const bobDm = await context.slack.waitFor(
      'the escalation DM',
      (s) => s.postedTo('U0BOB').find((m) => buttonIn(m.args['blocks'], 'tq_decide')),
      30_000,
    );
    expect(String(bobDm.args['text'])).toContain('Escalated to you');
    await context.slack.waitFor(
      'the escalated card',
      (s) =>
        s
          .okCallsOf('chat.update')
          .find((c) => JSON.stringify(c.args['blocks']).includes('*Escalated* to the backup approver <@U0BOB>')),
      30_000,
    );
    expect(context.slack.callsOf('chat.update').some((c) => c.status === 503)).toBe(true);

    const button = buttonIn(bobDm.args['blocks'], 'tq_decide', (v) => v.c === 'false-positive')!;
    await sendSigned(context.app.baseUrl, clickOn('U0BOB', bobDm, button, context.slack.responseUrl('bob')));
    const modal = await context.slack.waitFor('the reason modal', (s) =>
      s
        .callsOf('views.open')
        .find((c) => (c.args['view'] as { callback_id: string }).callback_id === 'tq_false_positive_reason'),
    );
    const metadata = (modal.args['view'] as { private_metadata: string }).private_metadata;

    // Bob submits the reason modal: a blank reason is refused in the modal itself.
    const submitReason = (reason: string) =>
      sendSigned(
        context.app.baseUrl,
        interactionBody(
          viewSubmission({
            user: 'U0BOB',
            callbackId: 'tq_false_positive_reason',
            viewId: 'V0FP1',
            privateMetadata: metadata,
            values: { reason: { type: 'plain_text_input', value: reason } },
          }),
        ),
      );
    const blank = await submitReason('  ');
    expect(blank.json).toEqual({ response_action: 'errors', errors: { reason: 'give a reason' } });

    await submitReason('test fixture, never deployed');
    const answer = await context.slack.waitFor('the answer to bob', (s) => s.callsOf('response:bob')[0]);
    expect(String(answer.args['text'])).toContain('Your decision is recorded');
    const decided = await eventually(
      () => context.app.service.status(id),
      (s) => s?.decision !== null,
      30_000,
      'decision',
    );
    expect(decided?.decision).toMatchObject({ choice: 'false-positive', by: ['bob'] });
    expect(decided?.approvals[0]?.reason).toBe('test fixture, never deployed');
  });
});
