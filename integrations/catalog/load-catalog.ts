import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CatalogSchema, type Catalog } from '../../domain/catalog';
import { findCatalogReferenceProblems } from '../../domain/catalog-references';

export class CatalogError extends Error {}

/**
 * Reads and validates the ownership catalog. Every problem is reported with the file, the path
 * inside it and what to fix; the product refuses to start on a bad catalog rather than guess.
 * `validateLocator` lets each provider adapter check the locators of its own secrets.
 */
export function loadCatalog(
  path: string,
  validateLocator?: (provider: string, locator: Record<string, unknown>) => string | undefined,
): Catalog {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CatalogError(`catalog ${path}: cannot read it as YAML: ${(error as Error).message}`);
  }
  const parsed = CatalogSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  at ${formatPath(issue.path)}: ${issue.message}`);
    throw new CatalogError(`catalog ${path} is invalid:\n${lines.join('\n')}`);
  }
  const problems = findCatalogReferenceProblems(parsed.data);
  parsed.data.secrets.forEach((secret, index) => {
    const message = validateLocator?.(secret.provider, secret.locator);
    if (message) problems.push({ path: `secrets[${index}].locator`, message });
  });
  if (problems.length > 0) {
    throw new CatalogError(
      `catalog ${path} is invalid:\n${problems.map((p) => `  at ${p.path}: ${p.message}`).join('\n')}`,
    );
  }
  return parsed.data;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return (
    path.reduce<string>(
      (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
      '',
    ) || '(top level)'
  );
}
