import { parseArgs } from 'node:util';
import { listStuck, listWaitingOn } from './operations';

const USAGE = `usage (TOURNIQUET_URL defaults to http://127.0.0.1:8080; TOURNIQUET_TOKEN is your API token):
  tourniquet incidents list [--waiting-on <person id>]
  tourniquet incidents stuck            (exit 3 when an incident waits past its deadline)
  tourniquet incidents open --secret <catalog id> [--location <where>] [--notes <text>]
  tourniquet incidents status <incident id>
  tourniquet incidents timeline <incident id>
  tourniquet incidents decide <incident id> --choice revoke|rotate|false-positive [--reason <text>]
  tourniquet incidents confirm-manual <incident id> --note <text> [--reference <id>]
  tourniquet incidents verify <incident id> --note <text>
  tourniquet incidents delegate <incident id> --to <person id> --reason <text>`;

/**
 * A thin CLI over the HTTP API: the same authentication, validation and errors as any other
 * caller. It never asks for a leaked value; report values through the API or a webhook.
 */
export async function runIncidentsCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      secret: { type: 'string' },
      location: { type: 'string' },
      notes: { type: 'string' },
      choice: { type: 'string' },
      reason: { type: 'string' },
      note: { type: 'string' },
      reference: { type: 'string' },
      to: { type: 'string' },
      'waiting-on': { type: 'string' },
    },
  });
  const [verb, id] = positionals;
  const call = request(env);
  switch (verb) {
    case 'list':
      return values['waiting-on'] ? listWaitingOn(values['waiting-on'], env) : call('GET', '/api/incidents');
    case 'stuck':
      return listStuck(env);
    case 'open':
      return call('POST', '/api/incidents', {
        secretId: values.secret,
        location: values.location,
        notes: values.notes,
      });
    case 'status':
      return id ? call('GET', `/api/incidents/${id}`) : usage();
    case 'timeline':
      return id ? call('GET', `/api/incidents/${id}/timeline`) : usage();
    case 'decide':
      return id
        ? call('POST', `/api/incidents/${id}/decision`, { choice: values.choice, reason: values.reason })
        : usage();
    case 'confirm-manual':
      return id
        ? call('POST', `/api/incidents/${id}/manual-containment`, { note: values.note, reference: values.reference })
        : usage();
    case 'verify':
      return id ? call('POST', `/api/incidents/${id}/verification`, { note: values.note }) : usage();
    case 'delegate':
      return id && values.to
        ? call('POST', `/api/incidents/${id}/delegation`, { to: values.to, reason: values.reason })
        : usage();
    default:
      return usage();
  }
}

function usage(): number {
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

export function request(env: Record<string, string | undefined>) {
  const base = env.TOURNIQUET_URL ?? 'http://127.0.0.1:8080';
  return async (method: string, path: string, body?: Record<string, unknown>): Promise<number> => {
    if (!env.TOURNIQUET_TOKEN) {
      process.stderr.write('set TOURNIQUET_TOKEN to your API token\n');
      return 2;
    }
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${env.TOURNIQUET_TOKEN}`, 'content-type': 'application/json' },
      body: body
        ? JSON.stringify(Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)))
        : undefined,
    });
    const text = await response.text();
    (response.ok ? process.stdout : process.stderr).write(`${text}\n`);
    return response.ok ? 0 : 1;
  };
}
