import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Dependent } from '../../../domain/catalog';
import { ERROR_CODES } from '../../../domain/errors';
import { EcsDependentController, PREVIOUS_DESIRED_COUNT_TAG } from '../../../integrations/dependents/ecs-controller';
import { clientsByRegion } from '../../../integrations/dependents/tagged-capacity';
import { startMoto, type MotoServer } from '../../support/moto';

jest.setTimeout(60_000);

const CLUSTER = 'payments';
let moto: MotoServer;
let ecs: ECSClient;
let iam: IAMClient;
let clusterArn: string;
const clients: Array<{ destroy(): void }> = [];

function dependent(target: Record<string, unknown>, id = 'invoice-api'): Dependent {
  return { id, ownerTeam: 'payments', controller: 'ecs', target, disable: 'before-revoke' };
}

function controller(credentials = moto.admin, endpoint = moto.endpoint): EcsDependentController {
  const cached = clientsByRegion(
    (region) => new ECSClient({ endpoint, region: region ?? moto.region, credentials, maxAttempts: 1 }),
  );
  return new EcsDependentController({
    clientFor: (region) => {
      const made = cached(region);
      clients.push(made);
      return made;
    },
  });
}

/** A service in moto's cluster, from a task definition; moto schedules no real containers. */
async function createService(name: string, desiredCount: number): Promise<string> {
  const created = await ecs.send(
    new CreateServiceCommand({ cluster: CLUSTER, serviceName: name, taskDefinition: 'invoice-api', desiredCount }),
  );
  return created.service!.serviceArn!;
}

async function serviceState(name: string): Promise<{ desiredCount: number | undefined; tag: string | undefined }> {
  const found = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name], include: ['TAGS'] })))
    .services?.[0];
  return {
    desiredCount: found?.desiredCount,
    tag: found?.tags?.find((tag) => tag.key === PREVIOUS_DESIRED_COUNT_TAG)?.value,
  };
}

beforeAll(async () => {
  moto = await startMoto();
  ecs = new ECSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.admin });
  iam = new IAMClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.admin });
  clients.push(ecs, iam);
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))).cluster!.clusterArn!;
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'invoice-api',
      containerDefinitions: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:stable', memory: 128, essential: true }],
    }),
  );
});

afterAll(async () => {
  clients.forEach((made) => made.destroy());
  await moto?.stop();
});

describe('ecs dependent controller against moto_server with IAM auth on', () => {
  it('scales a service with 3 tasks to 0 and back to 3, each step safe to repeat', async () => {
    await createService('invoice-api', 3);
    const ecsController = controller();
    const target = dependent({ cluster: CLUSTER, service: 'invoice-api' });

    const first = await ecsController.disable('inc-1', target);
    expect(first.alreadyDone).toBeUndefined();
    expect(first.summary).toContain('recorded previous desired count 3, desired count set to 0');
    expect(await serviceState('invoice-api')).toEqual({ desiredCount: 0, tag: '3' });

    // A retried (or second) disable keeps the count recorded first, not the 0 it now sees.
    const second = await ecsController.disable('inc-1', target);
    expect(second.alreadyDone).toBe(true);
    expect(await serviceState('invoice-api')).toEqual({ desiredCount: 0, tag: '3' });

    const enabled = await ecsController.enable('inc-1', target);
    expect(enabled.alreadyDone).toBeUndefined();
    expect(enabled.summary).toContain('desired count restored to 3');
    expect(await serviceState('invoice-api')).toEqual({ desiredCount: 3, tag: undefined });

    const again = await ecsController.enable('inc-1', target);
    expect(again.alreadyDone).toBe(true);
    expect(await serviceState('invoice-api')).toEqual({ desiredCount: 3, tag: undefined });
  });

  it('works with the cluster and service given as ARNs', async () => {
    const serviceArn = await createService('ledger-sync', 2);
    const ecsController = controller();
    const target = dependent({ cluster: clusterArn, service: serviceArn }, 'ledger-sync');
    expect((await ecsController.disable('inc-2', target)).answerId).toBe(serviceArn);
    expect(await serviceState('ledger-sync')).toEqual({ desiredCount: 0, tag: '2' });
    await ecsController.enable('inc-2', target);
    expect(await serviceState('ledger-sync')).toEqual({ desiredCount: 2, tag: undefined });
  });

  it('finishes a disable that died after recording: scales to 0 without overwriting the record', async () => {
    await createService('half-done', 3);
    const ecsController = controller();
    const target = dependent({ cluster: CLUSTER, service: 'half-done' });
    await ecsController.disable('inc-3', target);
    // Someone (or a crashed enable) scaled the service back up while the record stayed.
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'half-done', desiredCount: 5 }));
    const again = await ecsController.disable('inc-3', target);
    expect(again.alreadyDone).toBeUndefined();
    expect(await serviceState('half-done')).toEqual({ desiredCount: 0, tag: '3' });
  });

  it('refuses to guess when the recorded tag was edited into something that is not a count', async () => {
    const arn = await createService('hand-edited', 1);
    const target = dependent({ cluster: CLUSTER, service: 'hand-edited' });
    await controller().disable('inc-4', target);
    await ecs.send(
      new TagResourceCommand({ resourceArn: arn, tags: [{ key: PREVIOUS_DESIRED_COUNT_TAG, value: 'three' }] }),
    );
    await expect(controller().enable('inc-4', target)).rejects.toMatchObject({
      code: ERROR_CODES.conflict,
      retryable: false,
    });
    expect(await serviceState('hand-edited')).toEqual({ desiredCount: 0, tag: 'three' });
  });

  it.each([
    [{ cluster: CLUSTER, service: 'no-such-service' }, 'MISSING'],
    [{ cluster: 'no-such-cluster', service: 'invoice-api' }, 'ClusterNotFoundException'],
  ])('answers NOT_FOUND, non-retryable, for %j', async (target, reason) => {
    for (const action of ['disable', 'enable'] as const) {
      const ecs = controller();
      const error = await ecs[action]('inc-5', dependent(target)).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: ERROR_CODES.notFound, retryable: false });
      expect((error as Error).message).toContain(reason);
    }
  });

  it('answers NOT_FOUND for a deleted service that DescribeServices still lists as INACTIVE', async () => {
    await createService('retired', 2);
    await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'retired', force: true }));
    const error = await controller()
      .disable('inc-5', dependent({ cluster: CLUSTER, service: 'retired' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ERROR_CODES.notFound, retryable: false });
    expect((error as Error).message).toContain('INACTIVE');
  });

  it('answers PERMISSION_DENIED to a principal without ECS rights and leaves the service running', async () => {
    await createService('guarded', 4);
    await iam.send(new CreateUserCommand({ UserName: 'no-ecs-rights' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'no-ecs-rights' }))).AccessKey!;
    const weak = controller({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    await expect(weak.disable('inc-6', dependent({ cluster: CLUSTER, service: 'guarded' }))).rejects.toMatchObject({
      code: ERROR_CODES.permissionDenied,
      retryable: false,
    });
    expect(await serviceState('guarded')).toEqual({ desiredCount: 4, tag: undefined });
  });
});

describe('ecs dependent controller: catalog target', () => {
  const refuse = () =>
    new EcsDependentController({
      clientFor: () => {
        throw new Error('no client should be built');
      },
    });

  it.each([
    [{ service: 'api' }, 'target.cluster'],
    [{ cluster: 'payments' }, 'target.service'],
    [{ cluster: 'pay ments', service: 'api' }, 'target.cluster: a cluster name'],
    [{ cluster: 'payments', service: 'api!' }, 'target.service: a service name'],
    [{ cluster: 'payments', service: 'api', region: 'Europe' }, 'target.region: an AWS region'],
    [{ cluster: 'payments', service: 'api', desiredCount: 2 }, 'desiredCount'],
    [
      { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/payments', service: 'api', region: 'us-east-1' },
      'target.region: differs from the region in cluster',
    ],
    [
      {
        cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/payments',
        service: 'arn:aws:ecs:us-east-1:123456789012:service/payments/api',
      },
      'target.service: its region differs',
    ],
  ])('rejects %j as INVALID_INPUT naming the field', async (target, expected) => {
    const error = await refuse()
      .disable('inc-7', dependent(target))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ERROR_CODES.invalidInput });
    expect((error as Error).message).toContain(expected);
  });

  it('uses the region of a cluster or service ARN when no region is given', async () => {
    const regions: Array<string | undefined> = [];
    const ecsController = new EcsDependentController({
      clientFor: (region) => {
        regions.push(region);
        throw new Error('stop here');
      },
    });
    await ecsController
      .disable('inc-8', dependent({ cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/payments', service: 'api' }))
      .catch(() => undefined);
    await ecsController
      .disable(
        'inc-8',
        dependent({ cluster: 'payments', service: 'arn:aws:ecs:eu-central-1:123456789012:service/payments/api' }),
      )
      .catch(() => undefined);
    await ecsController
      .disable('inc-8', dependent({ cluster: 'payments', service: 'api', region: 'ap-south-1' }))
      .catch(() => undefined);
    await ecsController.disable('inc-8', dependent({ cluster: 'payments', service: 'api' })).catch(() => undefined);
    expect(regions).toEqual(['eu-west-1', 'eu-central-1', 'ap-south-1', undefined]);
  });
});

/**
 * moto cannot throttle or fail on demand, so a loopback endpoint answers as ECS does (JSON 1.1,
 * status + x-amzn-errortype); the real SDK parses it.
 */
describe('ecs dependent controller: throttling and outages', () => {
  let server: Server;
  let answer: { status: number; type: string };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': answer.type,
      });
      response.end(JSON.stringify({ __type: answer.type, message: `${answer.type} from the loopback endpoint` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [400, 'ThrottlingException', ERROR_CODES.rateLimited, true],
    [500, 'ServerException', ERROR_CODES.providerUnavailable, true],
    [503, 'ServiceUnavailableException', ERROR_CODES.providerUnavailable, true],
    [400, 'AccessDeniedException', ERROR_CODES.permissionDenied, false],
    [400, 'ServiceNotFoundException', ERROR_CODES.notFound, false],
    [400, 'ClusterNotFoundException', ERROR_CODES.notFound, false],
  ])('maps HTTP %i %s to %s', async (status, type, code, retryable) => {
    answer = { status, type };
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const error = await controller({ accessKeyId: 'AKIAFAKEFAKEFAKE', secretAccessKey: 'fake-secret-key' }, endpoint)
      .disable('inc-9', dependent({ cluster: CLUSTER, service: 'any' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code, retryable });
  });
});
