import { z } from 'zod';

/** Strict boolean flags: only "true"/"1"/"yes" and "false"/"0"/"no" are accepted. */
export const booleanFlag = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'write true or false' })
    .optional()
    .transform((value) => (value === undefined ? defaultValue : ['true', '1', 'yes'].includes(value)));

export const port = (defaultValue: number) => z.coerce.number().int().min(0).max(65535).default(defaultValue);

/** A secret-bearing setting: never logged, never echoed in errors. */
export const secretSetting = () => z.string().min(1).optional();
