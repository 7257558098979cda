import { chmodSync, mkdirSync } from 'node:fs';
import type { Logger } from 'pino';

/**
 * DATA_DIR holds what nobody but the product's user may read: the dev server's Temporal file (every
 * incident's history: which credential leaked, where, who was asked), the embedded database (evidence),
 * generated keys. The dev server creates its files readable by all (0644), so the directory itself is
 * closed: created 0700, and made 0700 on every start, as PostgreSQL requires of its data directory.
 * A directory the product may write to but not change (a volume owned by another user, shared through
 * its group) is used as it is, with a warning.
 */
export function ownDataDir(directory: string, logger: Logger): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  try {
    chmodSync(directory, 0o700);
  } catch (error) {
    logger.warn(
      { dataDir: directory, err: error },
      'DATA_DIR is not this user’s to close (chmod 0700 refused): other users may read incident histories in it',
    );
  }
}
