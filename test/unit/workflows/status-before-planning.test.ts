import { renderStatusCard } from '../../../integrations/slack/blocks/card';
import { stateBeforePlanning } from '../../support/incident-state';

/** What a read answers in the first moments, before the plan activity has resolved the catalog. */
describe('the status of an incident that is still planning', () => {
  const state = stateBeforePlanning;

  it('reads provider and tier as null (unknown), not as defaults that look like facts', () => {
    const status = state({ secretId: 'vendor-api-key' }).status();
    expect(status.phase).toBe('planning');
    expect(status.secretId).toBe('vendor-api-key');
    expect(status.provider).toBeNull();
    expect(status.tier).toBeNull();
  });

  it('reads an unknown credential’s secret id as null, not as the word "unknown"', () => {
    const status = state({}).status();
    expect(status.secretId).toBeNull();
    expect(JSON.stringify(status)).not.toContain('"unknown"');
  });

  it('renders the unknowns on the Slack card as not known yet', () => {
    const card = JSON.stringify(renderStatusCard(state({}).status()));
    expect(card).toContain('*Tier*\\nnot known yet');
    expect(card).toContain('*Provider*\\nnot known yet');
    expect(card).not.toContain('high');
  });
});
