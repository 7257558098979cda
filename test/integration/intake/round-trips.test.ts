import type { Client } from '@temporalio/client';
import { startTestApp, type TestApp } from '../../support/app';
import { api } from '../../support/http';

/** Every DescribeWorkflowExecution the product's client sends from now on: the workflow ids. */
function countDescribes(client: Client): string[] {
  const described: string[] = [];
  const service = client.workflowService;
  const describe = service.describeWorkflowExecution.bind(service);
  const counting = async (request: Parameters<typeof describe>[0]) => {
    described.push(request.execution?.workflowId ?? '');
    return describe(request);
  };
  service.describeWorkflowExecution = counting as typeof service.describeWorkflowExecution;
  return described;
}

describe('opening an incident', () => {
  let app: TestApp;
  afterAll(() => app?.stop());

  it('answers a new credential from its signal-with-start alone, and a repeated report with the open incident', async () => {
    app = await startTestApp();
    const described = countDescribes(app.productClient);
    const report = (location: string) =>
      api(app.baseUrl, 'POST', '/api/incidents', { as: 'carol', body: { secretId: 'payments-db', location } });

    const first = await report('https://ci.example/build/1');
    expect(first.status).toBe(202);
    // The run it started has the id the report minted: no describe to find it.
    expect(described).toEqual([]);
    const run = await app.client.workflow.getHandle(first.body.workflowId).describe();
    expect(run.memo?.opening).toMatchObject({ incidentId: first.body.incidentId });

    const again = await report('https://ci.example/build/2');
    expect(again.status).toBe(202);
    // The open incident's own id, read from its run: the id this report minted was not taken.
    expect(again.body.incidentId).toBe(first.body.incidentId);
    expect(described).toEqual([first.body.workflowId]);
  });
});
