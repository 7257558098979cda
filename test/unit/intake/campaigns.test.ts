import { groupBursts } from '../../../entrypoints/http/intake/campaigns';
import type { CampaignMember } from '../../../integrations/intake/delivery-log';

const at = (minute: number) => new Date(Date.UTC(2025, 10, 20, 9, minute)).toISOString();
const member = (campaign: string, minute: number, n: number, source = 'trufflehog'): CampaignMember => ({
  source,
  campaign,
  receivedAt: at(minute),
  workflowId: `leak-${n}`,
  incidentId: `leak-${n}-run`,
});

describe('campaign bursts', () => {
  it('groups alerts of one source and key into bursts split by quiet gaps, open incidents only', () => {
    const members = [
      member('trufflehog:repo-a', 0, 1),
      member('trufflehog:repo-a', 1, 2),
      member('trufflehog:repo-a', 2, 2),
      member('trufflehog:repo-a', 40, 3),
      member('trufflehog:repo-b', 1, 4),
      member('trufflehog:repo-a', 3, 5, 'generic'),
    ];
    const campaigns = groupBursts(members, 15 * 60_000, new Set(['leak-1', 'leak-2', 'leak-3', 'leak-5']));
    expect(campaigns).toEqual([
      expect.objectContaining({
        source: 'trufflehog',
        campaign: 'trufflehog:repo-a',
        alerts: 3,
        incidents: 2,
        openIncidents: 2,
        firstAlertAt: at(0),
        lastAlertAt: at(2),
      }),
      expect.objectContaining({ campaign: 'trufflehog:repo-a', alerts: 1, openIncidents: 1, firstAlertAt: at(40) }),
      expect.objectContaining({ source: 'generic', openIncidents: 1 }),
    ]);
  });
});
