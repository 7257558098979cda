import type { Person } from '../../domain/catalog';
import type { OwnershipDirectory } from '../../integrations/ports';

/**
 * Who is clicking: the Slack user id comes from Slack's signed payload, and the catalog maps it to
 * a person. Everything the Slack surface does on someone's behalf needs that person; the
 * workflow's validators then decide whether this person may do this thing now.
 */
export type Identity = { known: true; person: Person } | { known: false; refusal: string };

/**
 * `catalog`: only catalog persons (opening, listing, delegating). `incident-role`: a click or form on one
 * of an incident's messages; someone the catalog does not list acts as `slack:<user id>`, the id live
 * on-call resolution gives people it found through Slack `users.lookupByEmail`, and the workflow's
 * validators accept them only where the incident names that exact person. Slack's request signature
 * is what proves the user id.
 */
export type IdentityScope = 'catalog' | 'incident-role';

export function identify(
  directory: OwnershipDirectory,
  slackUserId: string | undefined,
  scope: IdentityScope = 'catalog',
): Identity {
  const person = slackUserId ? directory.personBySlackUser(slackUserId) : undefined;
  if (person) return { known: true, person };
  if (slackUserId && scope === 'incident-role') {
    return { known: true, person: { id: `slack:${slackUserId}`, name: `Slack user ${slackUserId}`, slackUserId } };
  }
  return {
    known: false,
    refusal:
      `:no_entry: Your Slack account${slackUserId ? ` (\`${slackUserId}\`)` : ''} is not in the Tourniquet catalog, so I cannot act on your behalf. ` +
      'Ask the catalog owners to add `slackUserId` to your person entry.',
  };
}
