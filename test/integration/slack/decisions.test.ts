import type { StoredMessage } from '../../fakes/slack-web-api';
import { eventually } from '../../support/http';
import { createLoginRole } from '../../support/roles';
import { buttonClick, buttonIn, interactionBody, sendSigned, viewSubmission, useSlackApp } from './slack-requests';

/**
 * A critical credential (two approvals) decided and verified entirely through Slack clicks, with a
 * leaked value planted as a canary that must never reach Slack.
 */
describe('deciding and verifying an incident with Slack buttons', () => {
  const context = useSlackApp();

  const dmWithButton = (user: string, prefix: string) =>
    context.slack.waitFor(`a direct message to ${user} with ${prefix}`, (s) => s.postedTo(user).find((m) => buttonIn(m.args['blocks'], prefix)));
  const click = (user: string, dm: StoredMessage, prefix: string, responseName: string, extra: { triggerId?: string } = {}) => {
    const button = buttonIn(dm.args['blocks'], prefix)!;
    return buttonClick({ user, actionId: button.actionId, value: button.value, messageTs: dm.ts, channel: dm.channel, responseUrl: context.slack.responseUrl(responseName), ...extra });
  };
  const answerAt = (name: string) => context.slack.waitFor(`answer at ${name}`, (s) => s.callsOf(`response:${name}`)[0]).then((c) => String(c.args['text']));

  it('refuses the wrong people, counts a double click and a redelivery once, updates one card in place, and never shows the leaked value', async () => {
    const canary = await createLoginRole('ledger_app');
    const opened = await context.app.service.open({
      secretId: 'ledger-db',
      leakedValue: canary,
      sighting: { source: 'api', sourceRef: `canary-${Date.now()}`, detectedAt: new Date().toISOString(), receivedAt: new Date().toISOString(), reportedBy: 'carol', location: 'https://git.example/ledger/.env' },
    });
    const id = opened.incidentId;
    const aliceDm = await dmWithButton('U0ALICE', 'tq_decide');
    const graceDm = await dmWithButton('U0GRACE', 'tq_decide');
    const card = await context.slack.waitFor('the status card', (s) => s.messages.find((m) => m.channel.startsWith('C') && JSON.stringify(m.args['blocks']).includes('Awaiting a decision')));
    expect(context.slack.okCallsOf('conversations.create')[0]?.args).toMatchObject({ name: `tq-${id}`, is_private: 'true' });

    // Dave is in the catalog but not an approver; a stranger is not in the catalog at all.
    await sendSigned(context.app.baseUrl, interactionBody(click('U0DAVE', aliceDm, 'tq_decide', 'dave')));
    expect(await answerAt('dave')).toMatch(/Refused: dave is not an approver of this incident now/);
    await sendSigned(context.app.baseUrl, interactionBody(click('U0STRANGER', aliceDm, 'tq_decide', 'stranger')));
    expect(await answerAt('stranger')).toContain('not in the Tourniquet catalog');
    expect((await context.app.service.status(id))?.approvals).toEqual([]);

    // Alice double-clicks Revoke (two payloads, one message) and Slack redelivers the first.
    const first = interactionBody(click('U0ALICE', aliceDm, 'tq_decide', 'alice-1'));
    const answers = await Promise.all([
      sendSigned(context.app.baseUrl, first),
      sendSigned(context.app.baseUrl, interactionBody(click('U0ALICE', aliceDm, 'tq_decide', 'alice-2'))),
      sendSigned(context.app.baseUrl, first, { retryNum: 1 }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    for (const answer of answers) expect(answer.ms).toBeLessThan(3000);
    expect(await answerAt('alice-1')).toContain('recorded');
    expect(await answerAt('alice-2')).toContain('recorded');
    const afterAlice = await context.app.service.status(id);
    expect(afterAlice?.approvals.map((a) => a.by)).toEqual(['alice']);
    expect(afterAlice?.decision).toBeNull();

    // Grace's approval is the second one a critical credential needs: the decision is made.
    await sendSigned(context.app.baseUrl, interactionBody(click('U0GRACE', graceDm, 'tq_decide', 'grace')));
    expect(await answerAt('grace')).toContain('Your decision is recorded. Approvals so far: 2');
    const decided = await eventually(() => context.app.service.status(id), (s) => s?.decision !== null, 30_000, 'decision');
    expect(decided?.decision).toMatchObject({ choice: 'revoke', by: ['alice', 'grace'] });
    await sendSigned(context.app.baseUrl, interactionBody(click('U0ALICE', aliceDm, 'tq_decide', 'late', { triggerId: 'late-1' })));
    // Same message, same person, same choice: the update id repeats and the answer stays "recorded".
    expect(await answerAt('late')).toMatch(/recorded|Already decided/);

    // The verifier confirms closed through the note modal.
    const carolDm = await dmWithButton('U0CAROL', 'tq_confirm_closed');
    await sendSigned(context.app.baseUrl, interactionBody(click('U0CAROL', carolDm, 'tq_confirm_closed', 'carol')));
    const modal = await context.slack.waitFor('the verify modal', (s) => s.callsOf('views.open').find((c) => (c.args['view'] as { callback_id: string }).callback_id === 'tq_verify_note'));
    const view = modal.args['view'] as { private_metadata: string };
    const submitted = await sendSigned(
      context.app.baseUrl,
      interactionBody(viewSubmission({ user: 'U0CAROL', callbackId: 'tq_verify_note', viewId: 'V0VERIFY1', privateMetadata: view.private_metadata, values: { note: { type: 'plain_text_input', value: 'login refused, no sessions' } } })),
    );
    expect(submitted.status).toBe(200);
    expect(await answerAt('carol')).toContain('Your verification is recorded');
    await eventually(() => context.app.service.status(id), (s) => s?.phase === 'closed', 30_000, 'closed');

    // One card, posted once, then updated in place through every step.
    const cardUpdates = await context.slack.waitFor('the closed card', (s) => {
      const updates = s.okCallsOf('chat.update').filter((c) => c.args['ts'] === card.ts);
      return updates.some((c) => JSON.stringify(c.args['blocks']).includes(':lock: Closed')) && updates;
    });
    const shown = cardUpdates.map((c) => JSON.stringify(c.args['blocks']));
    expect(shown.some((b) => b.includes('approvals so far: alice → revoke'))).toBe(true);
    expect(shown.some((b) => b.includes('Containing'))).toBe(true);
    expect(shown.some((b) => b.includes('*Decision* revoke by alice, grace'))).toBe(true);
    expect(shown.some((b) => b.includes('Awaiting verification'))).toBe(true);
    expect(context.slack.okCallsOf('chat.postMessage').filter((c) => String(c.args['channel']).startsWith('C'))).toHaveLength(1);

    for (const call of context.slack.calls) {
      expect(call.raw).not.toContain(canary);
      expect(decodeURIComponent(call.raw.replace(/\+/g, ' '))).not.toContain(canary);
    }
    expect(context.app.logLines()).not.toContain(canary);
  });
});
