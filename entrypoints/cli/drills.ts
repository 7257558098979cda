import { parseStringOptions, printUsage, request, usageText } from './api-command';

const USAGE = usageText([
  'tourniquet drill start --team <team id> --secret <catalog secret id>',
  'tourniquet drill schedule --team <team id> --secret <catalog secret id> --every <30d|12h|...>',
  'tourniquet drill report --team <team id> [--last <n>]',
]);

/**
 * Drills over the HTTP API: start one now (real people, real messages marked DRILL, the drill
 * provider touches nothing), schedule recurring ones, and read the team's report.
 */
export async function runDrillCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { positionals, values } = parseStringOptions(argv, ['team', 'secret', 'every', 'last']);
  const call = request(env);
  const [verb] = positionals;
  if (!values.team) return usage();
  switch (verb) {
    case 'start':
      return values.secret ? call('POST', '/api/drills', { team: values.team, secretId: values.secret }) : usage();
    case 'schedule':
      return values.secret && values.every
        ? call('POST', '/api/drills/schedules', { team: values.team, secretId: values.secret, every: values.every })
        : usage();
    case 'report': {
      const query = new URLSearchParams({ team: values.team, ...(values.last ? { last: values.last } : {}) });
      return call('GET', `/api/drills/report?${query.toString()}`);
    }
    default:
      return usage();
  }
}

function usage(): number {
  return printUsage(USAGE);
}
