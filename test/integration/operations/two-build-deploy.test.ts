import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { startTestApp, type TestApp } from '../../support/app';
import { testCatalogWith } from '../../support/catalog';
import { createTestDatabase } from '../../support/environment';
import { eventually } from '../../support/http';
import {
  decide,
  openIncident,
  terminateIncidents,
  verify,
  waitForEvidence,
  waitForPhase,
} from '../../support/incidents';
import { createLoginRole, loginAs } from '../../support/roles';
import { workflowIdOfIncident } from '../../../domain/ids';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../../workers/telemetry';
import { FOREIGN_BUILD_IDS } from '../../support/replay-everything';

type History = temporal.api.history.v1.IHistory;

/**
 * The deploy procedure of docs/operating.md ("Pinned"): incidents opened on build A, build B with
 * a history-changing edit deployed and made current, A's incidents finish on A while new ones run
 * on B. Two products share one task queue, database and keys, as two builds of one deployment do.
 */
describe('a two-build deploy with pinned Worker Versioning', () => {
  const deploymentName = `deploy-${randomBytes(4).toString('hex')}`;
  let buildA: TestApp | undefined;
  let buildB: TestApp | undefined;
  let bundleB: string;

  beforeAll(async () => {
    const noop = () => undefined;
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../fixtures/deploy/build-b-workflows.ts'),
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
    });
    bundleB = join(mkdtempSync(join(tmpdir(), 'tourniquet-build-b-')), 'workflow-bundle.js');
    writeFileSync(bundleB, code);
  });
  const incidents: string[] = [];
  afterAll(async () => {
    if (buildA) await terminateIncidents(buildA.client, incidents);
    await buildB?.stop();
    await buildA?.stop();
  });

  async function setCurrent(app: TestApp, buildId: string): Promise<void> {
    // The version exists once its worker has polled; until then the server refuses it.
    await eventually(
      () =>
        app.client.workflowService
          .setWorkerDeploymentCurrentVersion({ namespace: app.config.TEMPORAL_NAMESPACE, deploymentName, buildId })
          .then(() => 'set')
          .catch((error: Error) => error.message),
      (result) => result === 'set',
      30_000,
      `current version ${buildId}`,
    );
  }

  async function historyOf(app: TestApp, incidentId: string): Promise<History> {
    return app.client.workflow.getHandle(workflowIdOfIncident(incidentId)).fetchHistory();
  }

  /** The build ids that completed the incident's workflow tasks, in order, and its failed tasks. */
  function buildsOf(history: History): { builds: string[]; failedTasks: number; startsWithTimer: boolean } {
    const events = history.events ?? [];
    const firstTask = events.findIndex((e) => e.workflowTaskCompletedEventAttributes);
    return {
      builds: [
        ...new Set(events.flatMap((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? [])),
      ],
      failedTasks: events.filter((e) => e.workflowTaskFailedEventAttributes).length,
      startsWithTimer: Boolean(events[firstTask + 1]?.timerStartedEventAttributes),
    };
  }

  it("finishes build A's incidents on build A after build B, with an unpatched history change, becomes current", async () => {
    const shared = {
      TEMPORAL_TASK_QUEUE: `deploy-${randomBytes(6).toString('hex')}`,
      TEMPORAL_WORKER_VERSIONING: 'true',
      TEMPORAL_DEPLOYMENT_NAME: deploymentName,
      DATABASE_URL: await createTestDatabase('deploy'),
      FINGERPRINT_KEY: randomBytes(32).toString('hex'),
      VAULT_KEY: randomBytes(32).toString('hex'),
      // Roles of this file only: tests running beside it reset the shared ones.
      CATALOG_PATH: testCatalogWith({
        secrets: [
          {
            id: 'deploy-old-db',
            description: 'used by this test file only',
            provider: 'postgres',
            locator: { adminUrlSetting: 'TEST_PG_ADMIN_URL', role: 'ops_deploy_old' },
            matchers: ['ops_deploy_old'],
            ownerTeam: 'payments',
            issuingTeam: 'platform',
            tier: 'high',
          },
          {
            id: 'deploy-new-db',
            description: 'used by this test file only',
            provider: 'postgres',
            locator: { adminUrlSetting: 'TEST_PG_ADMIN_URL', role: 'ops_deploy_new' },
            matchers: ['ops_deploy_new'],
            ownerTeam: 'payments',
            issuingTeam: 'platform',
            tier: 'high',
          },
        ],
      }),
    };
    buildA = await startTestApp({ ...shared, TEMPORAL_BUILD_ID: 'build-a' });
    await setCurrent(buildA, 'build-a');
    const password = await createLoginRole('ops_deploy_old');
    const old = await openIncident(buildA, { secretId: 'deploy-old-db', leakedValue: password });
    incidents.push(old);
    await waitForPhase(buildA, old, 'awaiting-decision');

    buildB = await startTestApp(
      { ...shared, TEMPORAL_BUILD_ID: FOREIGN_BUILD_IDS[0]! },
      { workflowBundlePath: bundleB },
    );
    await setCurrent(buildB, 'build-b');
    const fresh = await openIncident(buildB, {
      secretId: 'deploy-new-db',
      leakedValue: await createLoginRole('ops_deploy_new'),
    });
    incidents.push(fresh);
    await waitForPhase(buildB, fresh, 'awaiting-decision');

    // The drain query of the procedure sees A's open incident, and only A's.
    const onA = `TemporalWorkerDeploymentVersion='${deploymentName}:build-a' AND ExecutionStatus='Running'`;
    const stillOnA = () => buildA!.client.workflow.count(onA).then((result) => result.count);
    expect(await eventually(stillOnA, (count) => count === 1, 30_000, 'one running incident on build A')).toBe(1);

    // The old incident is decided after the deploy and runs to closure.
    expect((await decide(buildB, old, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(buildB, old, 'awaiting-verification');
    await expect(loginAs('ops_deploy_old', password)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    expect((await verify(buildB, old, 'carol')).status).toBe(200);
    await waitForEvidence(buildB, old, 'incident.closed');

    expect(await eventually(stillOnA, (count) => count === 0, 30_000, 'build A drained')).toBe(0);
    const oldHistory = await historyOf(buildA, old);
    expect(buildsOf(oldHistory)).toEqual({ builds: ['build-a'], failedTasks: 0, startsWithTimer: false });
    // B's edit is really there (its timer first) and really history-changing: A's history does not replay on B.
    const freshHistory = await historyOf(buildB, fresh);
    expect(buildsOf(freshHistory)).toEqual({ builds: ['build-b'], failedTasks: 0, startsWithTimer: true });
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: bundleB } }, oldHistory)).rejects.toThrow(
      /[Nn]ondeterminism/,
    );
  });
});
