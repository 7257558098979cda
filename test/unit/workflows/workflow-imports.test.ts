import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = join(__dirname, '../../..');

/**
 * The runtime import graph of the workflow code (type-only imports are erased). The SDK instantiates
 * every module of that graph again for each workflow the worker holds in its cache, so the graph stays
 * free of libraries: a schema library there costs megabytes of RSS and milliseconds of CPU per open incident.
 */
function runtimeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const imports: string[] = [];
  const statement = /^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm;
  for (const match of source.matchAll(statement)) {
    if (match[1]) continue;
    const clause = match[0];
    // `import { type A, type B } from` is erased too.
    const names = /\{([^}]*)\}/.exec(clause)?.[1];
    if (names && names.split(',').every((name) => !name.trim() || name.trim().startsWith('type '))) continue;
    imports.push(match[2]!);
  }
  return imports;
}

function graphOf(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (!spec.startsWith('.')) {
        packages.set(spec, file.slice(ROOT.length + 1));
        continue;
      }
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (!target) throw new Error(`${file}: cannot resolve ${spec}`);
      visit(target);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the workflow bundle’s import graph', () => {
  const graph = graphOf(join(ROOT, 'workflows/index.ts'));

  it('reaches only the Temporal workflow SDK among packages (no zod: it would be instantiated per workflow)', () => {
    expect(Object.fromEntries(graph.packages)).toEqual({
      '@temporalio/workflow': expect.any(String),
    });
  });

  it('is the graph the bundle holds: the incident workflow and its domain modules', () => {
    const files = [...graph.files].map((file) => file.slice(ROOT.length + 1));
    expect(files).toEqual(expect.arrayContaining(['workflows/incident-state.ts', 'domain/memo-keys.ts']));
    expect(files).not.toContain('domain/incident-listing.ts');
    expect(files).not.toContain('domain/catalog.ts');
  });
});
