import type { StoredMessage } from '../../fakes/slack-web-api';
import { eventually } from '../../support/http';
import { createLoginRole } from '../../support/roles';
import {
  buttonClick,
  buttonIn,
  interactionBody,
  sendSigned,
  viewSubmission,
  useSlackApp,
  clickOn,
} from './slack-requests';

/**
 * A critical credential (two approvals) decided and verified entirely through Slack clicks, with a
 * leaked value planted as a canary that must never reach Slack.
 */
describe('deciding and verifying an incident with Slack buttons', () => {
  const context = useSlackApp();

  // A copy as posted: the fake rewrites a stored message when the product updates it.
  const dmWithButton = (user: string, prefix: string) =>
    context.slack
      .waitFor(`a direct message to ${user} with ${prefix}`, (s) =>
        s.postedTo(user).find((m) => buttonIn(m.args['blocks'], prefix)),
      )
      .then((m): StoredMessage => ({ ...m, args: { ...m.args } }));
  const click = (
    user: string,
    dm: StoredMessage,
    prefix: string,
    responseName: string,
    extra: { triggerId?: string } = {},
  ) => {
    const button = buttonIn(dm.args['blocks'], prefix)!;
    return buttonClick({
      user,
      actionId: button.actionId,
      value: button.value,
      messageTs: dm.ts,
      channel: dm.channel,
      responseUrl: context.slack.responseUrl(responseName),
      ...extra,
    });
  };
  const answerAt = (name: string) =>
    context.slack
      .waitFor(`answer at ${name}`, (s) => s.callsOf(`response:${name}`)[0])
      .then((c) => String(c.args['text']));
  /** The chat.update that took a direct message's buttons away and says how its step ended. */
  const retiredDm = (dm: StoredMessage, line: string) =>
    context.slack.waitFor(`the buttons of ${dm.channel}/${dm.ts} retired with "${line}"`, (s) =>
      s
        .okCallsOf('chat.update')
        .find(
          (c) =>
            c.args['channel'] === dm.channel &&
            c.args['ts'] === dm.ts &&
            JSON.stringify(c.args['blocks']).includes(line),
        ),
    );
  const blockTypes = (blocks: unknown) => (blocks as Array<{ type: string }>).map((b) => b.type);

  it('refuses the wrong people, counts a double click and a redelivery once, updates one card in place, and never shows the leaked value', async () => {
    const canary = await createLoginRole('ledger_app');
    const opened = await context.app.service.open({
      secretId: 'ledger-db',
      leakedValue: canary,
      sighting: {
        source: 'api',
        sourceRef: `canary-${Date.now()}`,
        detectedAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        reportedBy: 'carol',
        location: 'https://git.example/ledger/.env',
      },
    });
    const id = opened.incidentId;
    const aliceDm = await dmWithButton('U0ALICE', 'tq_decide');
    const graceDm = await dmWithButton('U0GRACE', 'tq_decide');
    const card = await context.slack.waitFor('the status card', (s) =>
      s.messages.find(
        (m) => m.channel.startsWith('C') && JSON.stringify(m.args['blocks']).includes('Awaiting a decision'),
      ),
    );
    expect(context.slack.okCallsOf('conversations.create')[0]?.args).toMatchObject({
      name: `tq-${id}`,
      is_private: 'true',
    });

    // Dave is in the catalog but not an approver; a stranger is not in the catalog at all.
    await sendSigned(context.app.baseUrl, interactionBody(click('U0DAVE', aliceDm, 'tq_decide', 'dave')));
    expect(await answerAt('dave')).toMatch(/Refused: dave is not an approver of this incident now/);
    await sendSigned(context.app.baseUrl, interactionBody(click('U0STRANGER', aliceDm, 'tq_decide', 'stranger')));
    // A stranger acts as slack:<id>, which this incident names nowhere (only on-call people found through
    // Slack carry such ids): refused by the workflow.
    expect(await answerAt('stranger')).toMatch(/Refused: slack:U0STRANGER is not an approver of this incident now/);
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
    // The answer is fresh: it already names the decision Grace's approval completed.
    expect(await answerAt('grace')).toContain('Your decision is recorded. Decision: *revoke*.');
    const decided = await eventually(
      () => context.app.service.status(id),
      (s) => s?.decision !== null,
      30_000,
      'decision',
    );
    expect(decided?.decision).toMatchObject({ choice: 'revoke', by: ['alice', 'grace'] });
    // Both approvers' decision messages lose their buttons and say how it was decided.
    for (const dm of [aliceDm, graceDm]) {
      const retired = await retiredDm(dm, 'Decided: revoke by alice, grace at ');
      expect(blockTypes(retired.args['blocks'])).toEqual(['section', 'context']);
      expect(JSON.stringify(retired.args['blocks'])).toContain('needs your decision');
      expect(buttonIn(context.slack.messages.find((m) => m.ts === dm.ts)?.args['blocks'], 'tq_')).toBeUndefined();
    }
    // A click on a button still open in someone's Slack client before the update reached it.
    await sendSigned(
      context.app.baseUrl,
      interactionBody(click('U0ALICE', aliceDm, 'tq_decide', 'late', { triggerId: 'late-1' })),
    );
    // Same message, same person, same choice: the update id repeats and the answer stays "recorded".
    expect(await answerAt('late')).toMatch(/recorded|Already decided/);

    // The verifier confirms closed through the note modal.
    const carolDm = await dmWithButton('U0CAROL', 'tq_confirm_closed');
    await sendSigned(context.app.baseUrl, interactionBody(click('U0CAROL', carolDm, 'tq_confirm_closed', 'carol')));
    const modal = await context.slack.waitFor('the verify modal', (s) =>
      s.callsOf('views.open').find((c) => (c.args['view'] as { callback_id: string }).callback_id === 'tq_verify_note'),
    );
    const view = modal.args['view'] as { private_metadata: string };
    const submitted = await sendSigned(
      context.app.baseUrl,
      interactionBody(
        viewSubmission({
          user: 'U0CAROL',
          callbackId: 'tq_verify_note',
          viewId: 'V0VERIFY1',
          privateMetadata: view.private_metadata,
          values: { note: { type: 'plain_text_input', value: 'login refused, no sessions' } },
        }),
      ),
    );
    expect(submitted.status).toBe(200);
    expect(await answerAt('carol')).toContain('Your verification is recorded');
    await eventually(
      () => context.app.service.status(id),
      (s) => s?.phase === 'closed',
      30_000,
      'closed',
    );

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
    expect(
      context.slack.okCallsOf('chat.postMessage').filter((c) => String(c.args['channel']).startsWith('C')),
    ).toHaveLength(1);

    // The verifier's "confirm closed" message is retired too; every retired message was updated once.
    const carolRetired = await retiredDm(carolDm, 'Verified by carol');
    expect(blockTypes(carolRetired.args['blocks'])).toEqual(['section', 'context']);
    for (const dm of [aliceDm, graceDm, carolDm])
      expect(context.slack.okCallsOf('chat.update').filter((c) => c.args['ts'] === dm.ts)).toHaveLength(1);

    for (const call of context.slack.calls) {
      expect(call.raw).not.toContain(canary);
      expect(decodeURIComponent(call.raw.replace(/\+/g, ' '))).not.toContain(canary);
    }
    expect(context.app.logLines()).not.toContain(canary);
  });

  it('retries a Slack 5xx on retiring a decision message without holding back the card', async () => {
    const opened = await context.app.service.open({
      secretId: 'payments-db',
      sighting: {
        source: 'api',
        sourceRef: `retire-${Date.now()}`,
        detectedAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        reportedBy: 'carol',
      },
    });
    const decisionDm = (user: string) =>
      context.slack
        .waitFor(`${user}'s decision message`, (s) =>
          s.postedTo(user).find((m) => buttonIn(m.args['blocks'], 'tq_decide', (v) => v.i === opened.incidentId)),
        )
        .then((m): StoredMessage => ({ ...m, args: { ...m.args } }));
    const snapshot = await decisionDm('U0ALICE');
    const graceDm = await decisionDm('U0GRACE');
    context.slack.failNext('chat.update', { status: 503 }, 1, (args) => args['ts'] === snapshot.ts);

    const button = buttonIn(snapshot.args['blocks'], 'tq_decide', (v) => v.c === 'false-positive')!;
    await sendSigned(context.app.baseUrl, clickOn('U0ALICE', snapshot, button, context.slack.responseUrl('alice-fp')));
    const modal = await context.slack.waitFor('the reason modal', (s) =>
      s
        .callsOf('views.open')
        .find((c) => (c.args['view'] as { callback_id: string }).callback_id === 'tq_false_positive_reason'),
    );
    const metadata = (modal.args['view'] as { private_metadata: string }).private_metadata;
    await sendSigned(
      context.app.baseUrl,
      interactionBody(
        viewSubmission({
          user: 'U0ALICE',
          callbackId: 'tq_false_positive_reason',
          viewId: 'V0FPRETIRE',
          privateMetadata: metadata,
          values: { reason: { type: 'plain_text_input', value: 'documentation example' } },
        }),
      ),
    );

    const retired = await retiredDm(snapshot, 'Decided: false-positive by alice at ');
    const failed = context.slack.callsOf('chat.update').filter((c) => c.args['ts'] === snapshot.ts && c.status === 503);
    expect(failed).toHaveLength(1);
    expect(retired.at).toBeGreaterThan(failed[0]!.at);
    // The card showed the decision before the retried retirement went through, and Grace's message was retired too.
    const card = context.slack
      .okCallsOf('chat.update')
      .find(
        (c) =>
          String(c.args['channel']).startsWith('C') &&
          JSON.stringify(c.args['blocks']).includes('*Decision* false-positive by alice'),
      );
    expect(card).toBeDefined();
    expect(card!.at).toBeLessThan(retired.at);
    await retiredDm(graceDm, 'Decided: false-positive by alice at ');
  });
});
