import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from './app';
import { createTestDatabase } from './environment';

/**
 * One deployment, started again with another catalog (a deploy): the same task queue, database and
 * keys each time, so the incidents it runs carry on across the restart. Whatever is still running
 * when the file ends is stopped.
 */
export function useRedeployableApp(settings: Record<string, string> = {}) {
  const running = new Set<TestApp>();
  let shared: Promise<Record<string, string>> | undefined;
  afterAll(async () => {
    for (const app of running) await app.stop().catch(() => undefined);
  });
  return {
    /** Starts the deployment with `catalogPath`. */
    async start(catalogPath: string): Promise<TestApp> {
      shared ??= createTestDatabase('app').then((databaseUrl) => ({
        TEMPORAL_TASK_QUEUE: `test-${randomBytes(6).toString('hex')}`,
        DATABASE_URL: databaseUrl,
        FINGERPRINT_KEY: randomBytes(32).toString('hex'),
        VAULT_KEY: randomBytes(32).toString('hex'),
        ...settings,
      }));
      const app = await startTestApp({ ...(await shared), CATALOG_PATH: catalogPath });
      running.add(app);
      return app;
    },
    async stop(app: TestApp): Promise<void> {
      running.delete(app);
      await app.stop();
    },
  };
}
