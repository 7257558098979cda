import { z } from 'zod';
import { configurationError, invalidInput } from '../../domain/errors';
import type { CredentialProvider, DeathProof } from '../ports';

const ManualLocatorSchema = z.object({
  console: z.string().optional(),
  instructions: z.string().optional(),
  hint: z.string().optional(),
});

/**
 * For SaaS keys with no revocation API: an executor of the issuing team revokes in the vendor
 * console and confirms with an evidence note. The workflow never calls the automated methods for
 * this kind; they refuse loudly in case a mistake routes here.
 */
export class ManualProvider implements CredentialProvider {
  readonly kind = 'manual';
  readonly requiresHuman = true;

  validateLocator(locator: Record<string, unknown>): void {
    const parsed = ManualLocatorSchema.safeParse(locator);
    if (!parsed.success)
      throw invalidInput(
        `manual locator: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
  }

  revoke(): never {
    throw configurationError('manual provider: a person contains this credential; no API call exists');
  }
  issueReplacement(): never {
    throw configurationError('manual provider: a person rotates this credential; no API call exists');
  }
  revokeReplacement(): never {
    throw configurationError('manual provider: nothing was issued automatically');
  }
  async endDerivedSessions(): Promise<null> {
    return null;
  }
  async proveDead(): Promise<DeathProof> {
    throw configurationError("manual provider: proof of death is the executor's confirmation note");
  }
}
