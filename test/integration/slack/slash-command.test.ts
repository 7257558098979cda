import { eventually } from '../../support/http';
import { waitForEvidence, waitForPhase } from '../../support/incidents';
import { sendSigned, slashCommandBody, useSlackApp } from './slack-requests';

describe('the Slack slash command over signed HTTP requests', () => {
  const context = useSlackApp();

  const command = (user: string, text: string, name = `cmd-${Math.random()}`) =>
    slashCommandBody({ user, text, responseUrl: context.slack.responseUrl(name) });

  it('answers help within the ack, as an ephemeral message, without ever calling auth.test', async () => {
    const answer = await sendSigned(context.app.baseUrl, command('U0ALICE', 'help'));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ response_type: 'ephemeral' });
    expect(answer.json.text).toContain('/tourniquet open');
    expect(context.slack.callsOf('auth.test')).toHaveLength(0);
  });

  it('rejects a forged signature and a stale timestamp before any handler runs', async () => {
    const forged = await sendSigned(context.app.baseUrl, command('U0ALICE', 'list', 'forged'), {
      secret: 'not-the-signing-secret',
    });
    expect(forged.status).toBe(401);
    const tampered = await sendSigned(context.app.baseUrl, command('U0ALICE', 'list', 'tampered'), {
      signature: 'v0=' + '0'.repeat(64),
    });
    expect(tampered.status).toBe(401);
    const stale = await sendSigned(context.app.baseUrl, command('U0ALICE', 'list', 'stale'), {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(stale.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      context.slack.calls.filter((c) => ['response:forged', 'response:tampered', 'response:stale'].includes(c.method)),
    ).toEqual([]);
  });

  it('tells people what to type when the subcommand is unknown', async () => {
    const answer = await sendSigned(context.app.baseUrl, command('U0ALICE', 'revokeall now'));
    expect(answer.status).toBe(200);
    expect(answer.json.response_type).toBe('ephemeral');
    expect(answer.json.text).toContain('I do not know that command');
    expect(answer.json.text).not.toContain('revokeall');
    expect(answer.json.text).toContain('/tourniquet list');
  });

  it('refuses people who are not in the catalog', async () => {
    const answer = await sendSigned(context.app.baseUrl, command('U0STRANGER', 'list'));
    expect(answer.status).toBe(200);
    expect(answer.json.text).toContain('not in the Tourniquet catalog');
  });

  it('opens the report modal with the trigger id, after acking within Slack’s three seconds', async () => {
    const body = command('U0ALICE', 'open');
    const trigger = new URLSearchParams(body).get('trigger_id');
    const answer = await sendSigned(context.app.baseUrl, body);
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(3000);
    const opened = await context.slack.waitFor('views.open', (s) =>
      s.callsOf('views.open').find((c) => c.args['trigger_id'] === trigger),
    );
    const view = opened.args['view'] as { callback_id: string; blocks: Array<{ block_id?: string }> };
    expect(view.callback_id).toBe('tq_open_incident');
    expect(view.blocks.map((b) => b.block_id)).toContain('location');
  });

  it('lists open incidents and shows one incident’s status card through the response_url', async () => {
    const opened = await context.app.service.open({
      secretId: 'vendor-api-key',
      sighting: {
        source: 'api',
        sourceRef: `list-${Date.now()}`,
        detectedAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        reportedBy: 'carol',
      },
    });
    // Temporal's visibility store is eventually consistent: wait until it lists the new incident.
    await eventually(
      () => context.app.service.listOpen(),
      (open) => open.some((o) => opened.incidentId.startsWith(o.workflowId)),
      20_000,
      'visibility',
    );
    await sendSigned(context.app.baseUrl, command('U0ALICE', 'list', 'list'));
    const listed = await context.slack.waitFor('list answer', (s) => s.callsOf('response:list')[0]);
    expect(listed.args['response_type']).toBe('ephemeral');
    expect(String(listed.args['text'])).toContain(opened.incidentId);
    expect(String(listed.args['text'])).toContain('vendor-api-key');

    await sendSigned(context.app.baseUrl, command('U0ALICE', `status ${opened.incidentId}`, 'status'));
    const status = await context.slack.waitFor('status answer', (s) => s.callsOf('response:status')[0]);
    expect(JSON.stringify(status.args['blocks'])).toContain('Leaked credential: vendor-api-key');

    await sendSigned(context.app.baseUrl, command('U0ALICE', 'status leak-000000000000000000000000', 'missing'));
    const missing = await context.slack.waitFor('missing answer', (s) => s.callsOf('response:missing')[0]);
    expect(String(missing.args['text'])).toContain('No incident');
  });

  it('never echoes typed free text: a secret pasted after the command stays out of every reply', async () => {
    const pasted = 'AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    await sendSigned(context.app.baseUrl, command('U0ALICE', `status ${pasted}`, 'pasted-status'));
    const status = await context.slack.waitFor('pasted status answer', (s) => s.callsOf('response:pasted-status')[0]);
    expect(String(status.args['text'])).toContain('No incident has the id you typed');
    const unknown = await sendSigned(context.app.baseUrl, command('U0ALICE', pasted));
    expect(unknown.json.text).toContain('I do not know that command');
    const everything = JSON.stringify([status.args, unknown.json]);
    expect(everything).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(everything).not.toContain('wJalrXUtnFEMI');
  });

  it('hands a pending decision to a colleague named by Slack mention, with a reason it never echoes', async () => {
    const opened = await context.app.service.open({
      secretId: 'vendor-api-key',
      sighting: {
        source: 'api',
        sourceRef: `delegate-${Date.now()}`,
        detectedAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        reportedBy: 'carol',
      },
    });
    const id = opened.incidentId;
    await waitForPhase(context.app, id, 'awaiting-decision');
    const reason = 'on leave today, dave knows the vendor console';
    const answer = async (user: string, text: string, name: string) => {
      await sendSigned(context.app.baseUrl, command(user, text, name));
      const reply = await context.slack.waitFor(name, (s) => s.callsOf(`response:${name}`)[0]);
      return String(reply.args['text']);
    };

    expect(await answer('U0ALICE', `delegate ${id} <@U0GRACE|grace>`, 'no-reason')).toContain('delegate <incident-id>');
    expect(await answer('U0ALICE', `delegate ${id} <@U0NOBODY|who> ${reason}`, 'unknown')).toContain(
      'not in the catalog',
    );
    expect(await answer('U0CAROL', `delegate ${id} <@U0DAVE|dave> ${reason}`, 'outsider')).toContain('Refused');
    const done = await answer('U0ALICE', `delegate ${id} <@U0DAVE|dave> ${reason}`, 'delegated');
    expect(done).toContain('Your delegation is recorded');
    expect(done).not.toContain(reason);

    const evidence = await waitForEvidence(context.app, id, 'decision.delegated');
    expect(evidence.find((r) => r.kind === 'decision.delegated')!.details).toMatchObject({
      from: 'alice',
      to: 'dave',
      toSlackUserId: 'U0DAVE',
      channel: 'slack',
      reason,
    });
    const status = await context.app.service.status(id);
    expect(status!.waitingOn!.people).toContain('dave');
    expect(status!.waitingOn!.people).not.toContain('alice');
  });
});
