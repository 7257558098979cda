import { z } from 'zod';
import { invalidInput } from '../../domain/errors';
import type { CredentialProvider } from '../ports';

const ManualLocatorSchema = z.object({
  console: z.string().optional(),
  instructions: z.string().optional(),
  hint: z.string().optional(),
});

/**
 * For SaaS keys with no revocation API: an executor of the issuing team revokes in the vendor
 * console and confirms with an evidence note (proof of death is that note). It has no automated
 * capability at all: an activity routed here by mistake fails with INVALID_INPUT naming the provider.
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
}
