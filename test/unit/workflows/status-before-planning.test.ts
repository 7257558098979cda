import type { IncidentInput } from '../../../domain/incident';
import { renderStatusCard } from '../../../integrations/slack/blocks/card';
import { IncidentState } from '../../../workflows/incident-state';

/** What a read answers in the first moments, before the plan activity has resolved the catalog. */
describe('the status of an incident that is still planning', () => {
  const sighting = {
    source: 'api' as const,
    sourceRef: 'r1',
    detectedAt: '2026-01-01T00:00:00.000Z',
    receivedAt: '2026-01-01T00:00:00.000Z',
    reportedBy: 'carol',
  };
  const state = (input: Partial<IncidentInput>) =>
    new IncidentState(
      { credentialFingerprint: 'f'.repeat(64), secretId: null, firstSighting: sighting, ...input },
      'leak-x-1',
      'leak-x',
    );

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
