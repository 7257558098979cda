import { loadCatalog } from '../../integrations/catalog/load-catalog';
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
 * `tourniquet doctor`: the configuration parses, the catalog loads, and the running server's
 * /readyz says Temporal, the database, the catalog and the worker answer. Prints one line per
 * check; exit 0 when all pass, 1 otherwise.
 */
export async function doctor(env: Env): Promise<number> {
  const results: Array<[string, string]> = [];
  let catalogPath: string | undefined;
  try {
    catalogPath = parseConfig(env).CATALOG_PATH;
    results.push(['config', 'ok']);
  } catch (error) {
    results.push(['config', `failed: ${(error as Error).message.replace(/\n\s*/g, '; ')}`]);
  }
  if (catalogPath) {
    try {
      const catalog = loadCatalog(catalogPath);
      results.push(['catalog', `ok (${catalog.secrets.length} secrets, ${catalog.teams.length} teams)`]);
    } catch (error) {
      results.push(['catalog', `failed: ${(error as Error).message}`]);
    }
  }
  results.push(...(await serverChecks(env)));
  for (const [name, result] of results) process.stdout.write(`${name.padEnd(10)} ${result}\n`);
  return results.every(([, result]) => result.startsWith('ok')) ? EXIT.ok : EXIT.failed;
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
