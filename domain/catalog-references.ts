import type { Catalog } from './catalog';

/** A problem in the catalog, with the path inside the file that has it. */
export interface CatalogProblem {
  path: string;
  message: string;
}

/**
 * Checks what the schema alone cannot: that ids are unique and that every reference (team
 * members, owner teams, policies, the default owner) names something the catalog declares.
 */
export function findCatalogReferenceProblems(catalog: Catalog): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const people = uniqueIds(catalog.people, 'people', problems);
  const teams = uniqueIds(catalog.teams, 'teams', problems);
  const policies = uniqueIds(catalog.policies, 'policies', problems);
  uniqueIds(catalog.secrets, 'secrets', problems);

  const expect = (known: Set<string>, id: string, path: string, what: string) => {
    if (!known.has(id))
      problems.push({
        path,
        message: `unknown ${what} "${id}": declare it under ${what === 'person' ? 'people' : `${what === 'policy' ? 'policies' : 'teams'}`} or fix the id`,
      });
  };
  expect(teams, catalog.defaultOwnerTeam, 'defaultOwnerTeam', 'team');
  expect(policies, catalog.defaultPolicy, 'defaultPolicy', 'policy');
  catalog.teams.forEach((team, index) => {
    for (const role of ['decisionMakers', 'backupApprovers', 'verifiers', 'executors'] as const) {
      team[role].forEach((personId, at) => expect(people, personId, `teams[${index}].${role}[${at}]`, 'person'));
    }
  });
  const defaultTeam = catalog.teams.find((team) => team.id === catalog.defaultOwnerTeam);
  if (defaultTeam && defaultTeam.decisionMakers.length === 0) {
    problems.push({
      path: 'defaultOwnerTeam',
      message: `team "${defaultTeam.id}" needs at least one decision maker: it owns every unknown credential`,
    });
  }
  catalog.secrets.forEach((secret, index) => {
    expect(teams, secret.ownerTeam, `secrets[${index}].ownerTeam`, 'team');
    if (secret.issuingTeam) expect(teams, secret.issuingTeam, `secrets[${index}].issuingTeam`, 'team');
    if (secret.policy) expect(policies, secret.policy, `secrets[${index}].policy`, 'policy');
    secret.dependents.forEach((dependent, at) =>
      expect(teams, dependent.ownerTeam, `secrets[${index}].dependents[${at}].ownerTeam`, 'team'),
    );
  });
  return problems;
}

function uniqueIds(items: Array<{ id: string }>, path: string, problems: CatalogProblem[]): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.id)) problems.push({ path: `${path}[${index}].id`, message: `duplicate id "${item.id}"` });
    seen.add(item.id);
  });
  return seen;
}
