import type { Catalog } from '../../domain/catalog';
import { loadCatalog } from '../../integrations/catalog/load-catalog';
import { accessChecks } from '../../integrations/access-checks';
import type { AccessCheck } from '../../integrations/ports';
import { parseConfig } from '../../workers/config';

/** What the CLI's operator verbs read from GET /api/incidents. */
interface OpenIncidentSummary {
  incidentId: string;
  secretId: string;
  phase: string;
  waitingOn: { people: string[]; for: string; until?: string } | null;
  openedAt: string;
}

/** Exit codes of the operator verbs: 0 all well, 1 a check failed or the API refused, 2 usage, 3 stuck incidents. */
export const EXIT = { ok: 0, failed: 1, usage: 2, stuck: 3 } as const;

type Env = Record<string, string | undefined>;

async function openIncidents(env: Env): Promise<OpenIncidentSummary[] | number> {
  if (!env.TOURNIQUET_TOKEN) {
    process.stderr.write('set TOURNIQUET_TOKEN to your API token\n');
    return EXIT.usage;
  }
  const response = await fetch(`${baseUrl(env)}/api/incidents`, {
    headers: { authorization: `Bearer ${env.TOURNIQUET_TOKEN}` },
  });
  const text = await response.text();
  if (!response.ok) {
    process.stderr.write(`${text}\n`);
    return EXIT.failed;
  }
  return (JSON.parse(text) as { incidents: OpenIncidentSummary[] }).incidents;
}

/** `incidents list --waiting-on <person id>`: the open incidents that wait on that person now. */
export async function listWaitingOn(person: string, env: Env): Promise<number> {
  const incidents = await openIncidents(env);
  if (typeof incidents === 'number') return incidents;
  const waiting = incidents.filter((incident) => incident.waitingOn?.people.includes(person));
  process.stdout.write(`${JSON.stringify({ waitingOn: person, incidents: waiting }, null, 2)}\n`);
  return EXIT.ok;
}

/**
 * `incidents stuck`: open incidents whose current wait is past its deadline (the policy window
 * the workflow set). Exit 3 when there is any, so a cron job or a check can page on it.
 */
export async function listStuck(env: Env, now = new Date()): Promise<number> {
  const incidents = await openIncidents(env);
  if (typeof incidents === 'number') return incidents;
  const stuck = incidents.filter(
    (incident) => incident.waitingOn?.until !== undefined && Date.parse(incident.waitingOn.until) < now.getTime(),
  );
  process.stdout.write(`${JSON.stringify({ stuck }, null, 2)}\n`);
  return stuck.length ? EXIT.stuck : EXIT.ok;
}

/**
 * `tourniquet doctor`, run with the worker's environment: the configuration parses, the catalog
 * loads, each provider credential the catalog names is reachable (read-only checks, once per admin
 * credential; providers without an access check say `skipped`), and the running server's /readyz
 * says Temporal, the database, the catalog and the worker answer. Prints one line per check; exit
 * 0 when none failed, 1 otherwise.
 */
export async function doctor(env: Env): Promise<number> {
  const results: Array<[string, string]> = [];
  let config: ReturnType<typeof parseConfig> | undefined;
  try {
    config = parseConfig(env);
    results.push(['config', 'ok']);
  } catch (error) {
    results.push(['config', `failed: ${(error as Error).message.replace(/\n\s*/g, '; ')}`]);
  }
  if (config) {
    try {
      const catalog = loadCatalog(config.CATALOG_PATH);
      results.push(['catalog', `ok (${catalog.secrets.length} secrets, ${catalog.teams.length} teams)`]);
      results.push(
        ...(await providerChecks(
          catalog,
          accessChecks((name) => env[name]),
        )),
      );
    } catch (error) {
      results.push(['catalog', `failed: ${(error as Error).message}`]);
    }
  }
  results.push(...(await serverChecks(env)));
  for (const [name, result] of results) process.stdout.write(`${name.padEnd(10)} ${result}\n`);
  return results.some(([, result]) => result.startsWith('failed')) ? EXIT.failed : EXIT.ok;
}

/** One line per provider credential scope (`provider:postgres:PAYMENTS_DB_ADMIN_URL`), checked in parallel. */
async function providerChecks(catalog: Catalog, checks: Record<string, AccessCheck>): Promise<Array<[string, string]>> {
  const scopes = new Map<string, () => Promise<string>>();
  const skipped = new Set<string>();
  for (const { provider: kind, locator } of catalog.secrets) {
    const access = checks[kind];
    if (!access) {
      skipped.add(kind);
      continue;
    }
    try {
      const scope = `provider:${kind}:${access.accessScope(locator)}`;
      if (!scopes.has(scope)) scopes.set(scope, () => access.checkAccess(locator));
    } catch (error) {
      scopes.set(`provider:${kind}`, () => Promise.reject(error instanceof Error ? error : new Error(String(error))));
    }
  }
  const checked = await Promise.all(
    [...scopes].map(async ([scope, check]): Promise<[string, string]> => {
      try {
        return [scope, `ok (${await check()})`];
      } catch (error) {
        return [scope, `failed: ${(error as Error).message}`];
      }
    }),
  );
  return [
    ...checked,
    ...[...skipped].map((kind): [string, string] => [`provider:${kind}`, 'skipped: no access check']),
  ];
}

async function serverChecks(env: Env): Promise<Array<[string, string]>> {
  try {
    const response = await fetch(`${baseUrl(env)}/readyz`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { checks?: Record<string, string> };
    return Object.entries(body.checks ?? {}).map(([name, result]) => [`server:${name}`, result]);
  } catch (error) {
    return [['server', `failed: ${baseUrl(env)}/readyz did not answer (${(error as Error).message})`]];
  }
}

function baseUrl(env: Env): string {
  return env.TOURNIQUET_URL ?? 'http://127.0.0.1:8080';
}
