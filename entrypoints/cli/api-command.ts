import { parseArgs } from 'node:util';

/**
 * What the CLI commands over the HTTP API share: their usage text, their options (strings only),
 * and the request itself — the same authentication, validation and errors as any other caller.
 */

/** The usage text of an API command: the settings line, then one line per form of the command. */
export function usageText(forms: string[]): string {
  return [
    'usage (TOURNIQUET_URL defaults to http://127.0.0.1:8080; TOURNIQUET_TOKEN is your API token):',
    ...forms.map((form) => `  ${form}`),
  ].join('\n');
}

/** Prints `usage` on stderr; returns the exit code of a command called wrongly (2). */
export function printUsage(usage: string): number {
  process.stderr.write(`${usage}\n`);
  return 2;
}

/** The positionals and string options of `argv`; an option not in `names` is refused by parseArgs. */
export function parseStringOptions<Name extends string>(
  argv: string[],
  names: readonly Name[],
): { positionals: string[]; values: Partial<Record<Name, string>> } {
  const options = Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options });
  return { positionals, values: values as Partial<Record<Name, string>> };
}

/**
 * A caller of the API with the operator's token: prints the answer (stdout when it succeeded, else
 * stderr) and resolves to the exit code: 0, 1 for an error answer, 2 without a token.
 */
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
