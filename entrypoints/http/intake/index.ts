export { intakeRouter, type IntakeConfig, type IntakeDeps } from './router';
export { campaignsRouter } from './campaigns';
