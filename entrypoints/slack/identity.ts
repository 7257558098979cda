import type { Person } from '../../domain/catalog';
import type { OwnershipDirectory } from '../../integrations/ports';

/**
 * Who is clicking: the Slack user id comes from Slack's signed payload, and the catalog maps it to
 * a person. Everything the Slack surface does on someone's behalf needs that person; the
 * workflow's validators then decide whether this person may do this thing now.
 */
export type Identity = { known: true; person: Person } | { known: false; refusal: string };

export function identify(directory: OwnershipDirectory, slackUserId: string | undefined): Identity {
  const person = slackUserId ? directory.personBySlackUser(slackUserId) : undefined;
  if (person) return { known: true, person };
  return {
    known: false,
    refusal:
      `:no_entry: Your Slack account${slackUserId ? ` (\`${slackUserId}\`)` : ''} is not in the Tourniquet catalog, so I cannot act on your behalf. ` +
      'Ask the catalog owners to add `slackUserId` to your person entry.',
  };
}
