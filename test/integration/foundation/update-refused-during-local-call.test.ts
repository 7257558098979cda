import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { IncidentService } from '../../../application/incident-service';
import { testEnvironment } from '../../support/environment';

/**
 * An update that came while an incident's local activity ran is refused before it enters history
 * (workflows/handlers.ts, unlessLocalCall). The service asks again until it is accepted, so a person's
 * click is never lost to a few milliseconds of provider call; a refusal of any other kind is the answer.
 */
describe('an update refused while the incident runs a local activity', () => {
  const taskQueue = `refusing-${randomBytes(4).toString('hex')}`;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let service: IncidentService;
  beforeAll(async () => {
    const address = testEnvironment().temporalAddress;
    connection = await Connection.connect({ address });
    client = new Client({ connection });
    native = await NativeConnection.connect({ address });
    worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowsPath: require.resolve('../../fixtures/updates/refusing-workflow.ts'),
    });
    running = worker.run();
    // Only the Temporal client is used by decisions on an incident id that is its workflow id.
    service = new IncidentService(
      client,
      taskQueue,
      undefined as never,
      undefined as never,
      undefined as never,
      {
        claim: async () => undefined,
      } as never,
    );
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
  });

  const start = async (refusals: number) => {
    const workflowId = `leak-${randomBytes(12).toString('hex')}`;
    return client.workflow.start('refusingIncident', { taskQueue, workflowId, args: [refusals] });
  };

  it('asks again until the incident accepts it', async () => {
    const handle = await start(3);
    const answer = await service.decide(handle.workflowId, { by: 'alice', choice: 'revoke', channel: 'api' } as never);
    expect(answer.phase).toBe('containing');
    // Three refusals really happened before the decision was accepted: the validator saw it four times.
    expect(answer.evidenceCount).toBe(4);
    await handle.result();
  });

  it('gives up after its patience and answers with the refusal', async () => {
    const handle = await start(1_000);
    const started = Date.now();
    await expect(
      service.decide(handle.workflowId, { by: 'alice', choice: 'revoke', channel: 'api' } as never),
    ).rejects.toMatchObject({ cause: { type: 'RATE_LIMITED' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(14_000);
    await handle.terminate('test over');
  }, 60_000);
});
