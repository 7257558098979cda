import { createEmbeddedTemplate, embeddedTemplateDirectory } from '../integrations/database/embedded';

/**
 * `npm run build`'s step after the workflow bundle: creates the files of a new embedded database once,
 * so that a first start without DATABASE_URL copies them instead of running initdb (BENCHMARKS.md,
 * worker start-up).
 */
async function main(): Promise<void> {
  const started = Date.now();
  const template = embeddedTemplateDirectory();
  const created = await createEmbeddedTemplate(template);
  process.stdout.write(
    `embedded database template: ${template} (${created ? `created in ${Date.now() - started} ms` : 'already there'})\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
