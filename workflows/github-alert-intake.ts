import { proxyActivities } from '@temporalio/workflow';
import type { GithubIntakeActivities, GithubIntakeResult } from '../activities/github-alert-intake';
import type { GithubAlertRef } from '../domain/open-incident';

/**
 * Fetching a GitHub alert is retried with backoff for a week (no attempt limit): a webhook GitHub
 * already delivered is not dropped over an outage. Only INVALID_INPUT stops it sooner.
 */
const { ingestGithubAlert } = proxyActivities<GithubIntakeActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '7 days',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: ['INVALID_INPUT'],
  },
});

/**
 * One GitHub secret scanning delivery, started by the webhook with the workflow id
 * `github-delivery-<X-GitHub-Delivery>`, so a redelivery cannot start it twice. Its input and result
 * hold ids only; the secret is fetched and forgotten inside the activity.
 */
export async function githubAlertIntake(ref: GithubAlertRef): Promise<GithubIntakeResult> {
  return ingestGithubAlert(ref);
}
