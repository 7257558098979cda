import { parseStringOptions, printUsage, request, usageText } from './api-command';
import { listStuck, listWaitingOn } from './operations';

const USAGE = usageText([
  'tourniquet incidents list [--waiting-on <person id>]',
  'tourniquet incidents stuck            (exit 3 when an incident waits past its deadline)',
  'tourniquet incidents open --secret <catalog id> [--location <where>] [--notes <text>]',
  'tourniquet incidents status <incident id>',
  'tourniquet incidents timeline <incident id>',
  'tourniquet incidents decide <incident id> --choice revoke|rotate|false-positive [--reason <text>]',
  'tourniquet incidents confirm-manual <incident id> --note <text> [--reference <id>]',
  'tourniquet incidents verify <incident id> --note <text>',
  'tourniquet incidents delegate <incident id> --to <person id> --reason <text>',
]);
const OPTIONS = ['secret', 'location', 'notes', 'choice', 'reason', 'note', 'reference', 'to', 'waiting-on'] as const;

/**
 * A thin CLI over the HTTP API: the same authentication, validation and errors as any other
 * caller. It never asks for a leaked value; report values through the API or a webhook.
 */
export async function runIncidentsCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { positionals, values } = parseStringOptions(argv, OPTIONS);
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
  return printUsage(USAGE);
}
