import { z } from 'zod';
import { coreConfigShape } from './config/core';
import { evidenceConfigShape } from './config/evidence';
import { intakeConfigShape } from './config/intake';
import { operationsConfigShape } from './config/operations';
import { ownershipConfigShape } from './config/ownership';
import { providersConfigShape } from './config/providers';
import { slackConfigShape } from './config/slack';

/**
 * The only schema for process configuration, parsed once at start-up from the environment.
 * Each area owns one section file under config/; keys are the environment variable names.
 */
export const ConfigSchema = z.object({
  ...coreConfigShape,
  ...slackConfigShape,
  ...intakeConfigShape,
  ...evidenceConfigShape,
  ...providersConfigShape,
  ...ownershipConfigShape,
  ...operationsConfigShape,
});
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Parses the environment; the error lists each bad variable and what to write instead. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

/** Every environment variable the product reads, for docs and the docker-compose check. */
export const CONFIG_KEYS = Object.keys(ConfigSchema.shape);
