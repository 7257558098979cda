import { startFakeGithubAlertsApi, type FakeGithubAlertsApi } from '../fakes/github-alerts-api';
import { INTAKE_SECRETS } from '../fixtures/intake/requests';
import { startTestApp, type TestApp } from './app';

/**
 * The product with every webhook source on and a fake GitHub alerts API, started once for the file
 * (`settings` on top) and stopped after it. Read `app` and `github` inside the tests.
 */
export function useIntakeApp(settings: Record<string, string> = {}): { app: TestApp; github: FakeGithubAlertsApi } {
  const context = {} as { app: TestApp; github: FakeGithubAlertsApi };
  beforeAll(async () => {
    context.github = await startFakeGithubAlertsApi();
    context.app = await startTestApp({
      ...INTAKE_SECRETS,
      GITHUB_API_URL: context.github.url,
      GITHUB_TOKEN: context.github.token,
      ...settings,
    });
  });
  afterAll(async () => {
    await context.app?.stop();
    await context.github?.close();
  });
  return context;
}
