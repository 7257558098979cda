// The workflow bundle's entry point: every workflow type the worker registers.
export { leakedSecretIncident } from './leaked-secret-incident';
export { githubAlertIntake } from './github-alert-intake';
export { scheduledDrill } from './scheduled-drill';
