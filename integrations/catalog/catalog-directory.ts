import { createHash, timingSafeEqual } from 'node:crypto';
import type { Catalog, Person } from '../../domain/catalog';
import type { IncidentInput, IncidentPlan } from '../../domain/incident';
import { planIncident } from '../../domain/plan';
import type { OwnershipDirectory } from '../ports';

/** The ownership catalog held in memory, loaded once at start-up. */
export class CatalogDirectory implements OwnershipDirectory {
  constructor(readonly catalog: Catalog) {}

  planIncident(input: IncidentInput): IncidentPlan {
    return planIncident(this.catalog, input);
  }

  personByApiToken(token: string): Person | undefined {
    const digest = createHash('sha256').update(token).digest();
    return this.catalog.people.find(
      (person) =>
        person.apiTokenSha256 !== undefined && timingSafeEqual(Buffer.from(person.apiTokenSha256, 'hex'), digest),
    );
  }

  personBySlackUser(slackUserId: string): Person | undefined {
    return this.catalog.people.find((person) => person.slackUserId === slackUserId);
  }

  findSecret(identifiers: string[]): string | null {
    const wanted = new Set(identifiers.map((identifier) => identifier.toLowerCase()));
    const match = this.catalog.secrets.find(
      (secret) => wanted.has(secret.id) || secret.matchers.some((matcher) => wanted.has(matcher.toLowerCase())),
    );
    return match?.id ?? null;
  }
}
