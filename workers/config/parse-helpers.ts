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

/**
 * A PostgreSQL connection URL, secret (it carries the password): postgres:// or postgresql://, or socket:
 * for a Unix socket. Checked here so that a mistyped one is an error naming DATABASE_URL, not a host-name
 * lookup failure from deep in the driver; the message never quotes the value.
 */
export const postgresUrlSetting = () =>
  secretSetting().refine(
    (value) => {
      if (value === undefined) return true;
      try {
        return ['postgres:', 'postgresql:', 'socket:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    {
      message: 'write a postgres://user:password@host:port/database URL (the value is not shown: it holds a password)',
    },
  );
