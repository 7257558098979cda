import { renderStatusCard } from '../../../integrations/slack/blocks/card';
import { aStatus } from './status-builders';

describe('status card exposure field', () => {
  it('shows the blast radius before the decision', () => {
    const text = JSON.stringify(
      renderStatusCard(aStatus({ exposure: { blastRadius: 'user/deployer: deploy-artifacts (attached)' } })),
    );
    expect(text).toContain('*Blast radius* user/deployer: deploy-artifacts (attached)');
    expect(text).not.toContain('*Exposure*');
  });

  it('raises use after containment and asks people to confirm unlisted workloads', () => {
    const text = JSON.stringify(
      renderStatusCard(
        aStatus({
          exposure: {
            summary: 'aws-cloudtrail: 55 before the leak, 3 during exposure, 0 after containment, 2 denied (final)',
            usedAfterContainment: true,
            candidates: 1,
          },
        }),
      ),
    );
    expect(text).toContain(':rotating_light: *Used after containment*');
    expect(text).toContain('3 during exposure');
    expect(text).toContain('*Unlisted workloads* 1 used the credential before the leak');
  });

  it('has no exposure section on incidents without a report', () => {
    expect(JSON.stringify(renderStatusCard(aStatus()))).not.toContain('Exposure');
  });
});
