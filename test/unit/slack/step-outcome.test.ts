import { buttonsOf, renderRetiredDirectMessage } from '../../../integrations/slack/blocks/direct-message';
import { stepOutcome } from '../../../integrations/slack/blocks/step-outcome';
import { aNotification, aStatus } from './status-builders';

const decided = aStatus({
  phase: 'containing',
  decision: { choice: 'revoke', by: ['alice'], delegatedBy: 'alice', at: '2030-01-01T10:05:00.000Z' },
});

describe('what a direct message’s buttons are for', () => {
  it('names the step of each kind, and the step a reminder or escalation is stuck on', () => {
    expect(buttonsOf(aNotification())).toEqual({ step: 'decide', dependents: [] });
    expect(buttonsOf(aNotification({ kind: 'verification-requested' }))).toEqual({ step: 'verify', dependents: [] });
    expect(
      buttonsOf(aNotification({ kind: 'reminder', status: aStatus({ phase: 'awaiting-manual-containment' }) })),
    ).toEqual({ step: 'manual', dependents: [] });
    expect(buttonsOf(aNotification({ kind: 'incident-opened' }))).toBeUndefined();
  });

  it('lists the dependents still waiting for an acknowledgement', () => {
    const status = aStatus({
      phase: 'awaiting-acknowledgement',
      dependents: [
        { id: 'api', state: 'disabled' },
        { id: 'batch', state: 'disabled', acknowledgedBy: 'dave' },
      ],
    });
    expect(buttonsOf(aNotification({ kind: 'dependent-ack-requested', status }))).toEqual({
      step: 'dependents',
      dependents: ['api'],
    });
  });
});

describe('when a step is over', () => {
  it('says who decided what and when once the decision is made', () => {
    expect(stepOutcome('decide', [], aStatus())).toBeUndefined();
    expect(stepOutcome('decide', [], decided)).toMatch(/^Decided: revoke by alice at <!date\^1893492300\^/);
  });

  it('says who verified, or that the incident closed without them', () => {
    expect(stepOutcome('verify', [], decided)).toBeUndefined();
    expect(stepOutcome('verify', [], aStatus({ verification: { dead: true, verifiedBy: 'carol' } }))).toBe(
      'Verified by carol',
    );
    expect(stepOutcome('verify', [], aStatus({ phase: 'closed' }))).toBe('Closed');
  });

  it('says manual containment was confirmed', () => {
    const confirmed = aStatus({
      actions: [
        {
          at: '2030-01-01T10:07:00.000Z',
          kind: 'manual-containment.confirmed',
          summary: 'dave confirmed: key <deleted>',
        },
      ],
    });
    expect(stepOutcome('manual', [], aStatus())).toBeUndefined();
    expect(stepOutcome('manual', [], confirmed)).toContain('Contained by hand at <!date^1893492420^');
    expect(stepOutcome('manual', [], confirmed)).toContain('dave confirmed: key &lt;deleted&gt;');
  });

  it('waits until every dependent a message asked about is acknowledged', () => {
    const partly = aStatus({
      dependents: [
        { id: 'api', state: 'disabled', acknowledgedBy: 'dave' },
        { id: 'batch', state: 'disabled' },
      ],
    });
    expect(stepOutcome('dependents', ['api', 'batch'], partly)).toBeUndefined();
    expect(stepOutcome('dependents', ['api'], partly)).toBe('Acknowledged by dave');
  });

  it('replaces the buttons with the text and one line', () => {
    const blocks = renderRetiredDirectMessage('Needs your decision', decided, 'Decided: revoke by alice');
    expect(blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(JSON.stringify(blocks)).toContain('`payments-db` · Decided: revoke by alice');
    expect(renderRetiredDirectMessage('', decided, 'Closed').map((b) => b.type)).toEqual(['context']);
  });
});
