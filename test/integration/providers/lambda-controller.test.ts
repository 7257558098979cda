import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import type { Dependent } from '../../../domain/catalog';
import { ERROR_CODES } from '../../../domain/errors';
import {
  LambdaDependentController,
  PREVIOUS_CONCURRENCY_TAG,
} from '../../../integrations/dependents/lambda-controller';
import { clientsByRegion } from '../../../integrations/dependents/tagged-capacity';
import { startMoto, type MotoServer } from '../../support/moto';

jest.setTimeout(60_000);

/** The smallest valid zip (an empty archive): moto stores the code and never runs it here. */
const EMPTY_ZIP = Buffer.from('UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'base64');

let moto: MotoServer;
let lambda: LambdaClient;
let iam: IAMClient;
let roleArn: string;
const clients: Array<{ destroy(): void }> = [];

function dependent(target: Record<string, unknown>, id = 'invoice-worker'): Dependent {
  return { id, ownerTeam: 'payments', controller: 'lambda', target, disable: 'before-revoke' };
}

function controller(credentials = moto.admin, endpoint = moto.endpoint): LambdaDependentController {
  const cached = clientsByRegion(
    (region) => new LambdaClient({ endpoint, region: region ?? moto.region, credentials, maxAttempts: 1 }),
  );
  return new LambdaDependentController({
    clientFor: (region) => {
      const made = cached(region);
      clients.push(made);
      return made;
    },
  });
}

async function createFunction(name: string, reserved?: number): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: roleArn,
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP },
    }),
  );
  if (reserved !== undefined)
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: reserved }),
    );
}

async function reserved(name: string): Promise<number | undefined> {
  return (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions;
}

async function recordedTag(name: string): Promise<string | undefined> {
  return (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Tags?.[PREVIOUS_CONCURRENCY_TAG];
}

beforeAll(async () => {
  moto = await startMoto();
  lambda = new LambdaClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.admin });
  iam = new IAMClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.admin });
  clients.push(lambda, iam);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  roleArn = (
    await iam.send(new CreateRoleCommand({ RoleName: 'invoice-worker-role', AssumeRolePolicyDocument: trust }))
  ).Role!.Arn!;
});

afterAll(async () => {
  clients.forEach((made) => made.destroy());
  await moto?.stop();
});

describe('lambda dependent controller against moto_server with IAM auth on', () => {
  it('answers NOT_FOUND, non-retryable, for a function that does not exist', async () => {
    const error = await controller()
      .disable('inc-4', dependent({ functionName: 'no-such-function' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ERROR_CODES.notFound, retryable: false });
    expect((error as Error).message).toContain('ResourceNotFoundException');
  });

  it('answers PERMISSION_DENIED to a principal without Lambda rights and leaves the function running', async () => {
    await createFunction('guarded', 4);
    await iam.send(new CreateUserCommand({ UserName: 'no-lambda-rights' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'no-lambda-rights' }))).AccessKey!;
    // moto answers AccessDenied as an XML 403 the JSON protocol cannot parse: mapped by status.
    const weak = controller({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    await expect(weak.disable('inc-5', dependent({ functionName: 'guarded' }))).rejects.toMatchObject({
      code: ERROR_CODES.permissionDenied,
      retryable: false,
    });
    expect(await reserved('guarded')).toBe(4);
  });
});

/**
 * moto's SigV4 check rejects requests whose path holds an ARN (TagResource, UntagResource, GetFunction
 * by ARN answer SignatureDoesNotMatch there; AWS accepts them), so these flows run with auth off.
 */
describe('lambda dependent controller against moto_server, auth off', () => {
  beforeAll(async () => {
    const reset = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '1000000' });
    expect(reset.ok).toBe(true);
  });

  it('throttles a function with reserved concurrency to 0 and restores its previous reserved concurrency', async () => {
    await createFunction('invoice-worker', 7);
    const lambdaController = controller();
    const target = dependent({ functionName: 'invoice-worker' });

    const first = await lambdaController.disable('inc-1', target);
    expect(first.alreadyDone).toBeUndefined();
    expect(first.summary).toContain('recorded previous reserved concurrency 7, reserved concurrency set to 0');
    expect(await reserved('invoice-worker')).toBe(0);
    expect(await recordedTag('invoice-worker')).toBe('7');

    // A retried (or second) disable keeps the value recorded first, not the 0 it now sees.
    expect((await lambdaController.disable('inc-1', target)).alreadyDone).toBe(true);
    expect(await recordedTag('invoice-worker')).toBe('7');

    const enabled = await lambdaController.enable('inc-1', target);
    expect(enabled.alreadyDone).toBeUndefined();
    expect(enabled.summary).toContain('reserved concurrency restored to 7');
    expect(await reserved('invoice-worker')).toBe(7);
    expect(await recordedTag('invoice-worker')).toBeUndefined();

    expect((await lambdaController.enable('inc-1', target)).alreadyDone).toBe(true);
    expect(await reserved('invoice-worker')).toBe(7);
  });

  it('removes the reserved concurrency on enable when the function had none, addressed by ARN', async () => {
    await createFunction('report-builder');
    const arn = (await lambda.send(new GetFunctionCommand({ FunctionName: 'report-builder' }))).Configuration!
      .FunctionArn!;
    const lambdaController = controller();
    const target = dependent({ functionName: arn }, 'report-builder');

    await lambdaController.disable('inc-2', target);
    await lambdaController.disable('inc-2', target);
    expect(await reserved('report-builder')).toBe(0);
    expect(await recordedTag('report-builder')).toBe('none');

    expect((await lambdaController.enable('inc-2', target)).summary).toContain(
      'reserved concurrency removed (there was none)',
    );
    expect(await reserved('report-builder')).toBeUndefined();
    expect((await lambdaController.enable('inc-2', target)).alreadyDone).toBe(true);
    expect(await reserved('report-builder')).toBeUndefined();
  });

  it('finishes a disable that died after recording: throttles without overwriting the record', async () => {
    await createFunction('half-done', 3);
    const lambdaController = controller();
    const target = dependent({ functionName: 'half-done' });
    await lambdaController.disable('inc-3', target);
    // Someone (or a crashed enable) put concurrency back while the record stayed.
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'half-done', ReservedConcurrentExecutions: 5 }),
    );
    const again = await lambdaController.disable('inc-3', target);
    expect(again.alreadyDone).toBeUndefined();
    expect(await reserved('half-done')).toBe(0);
    expect(await recordedTag('half-done')).toBe('3');
  });
});

describe('lambda dependent controller: catalog target', () => {
  it.each([
    [{}, 'target.functionName'],
    [{ functionName: 'bad name!' }, 'target.functionName: a function name'],
    [{ functionName: 'ok', region: 'Europe' }, 'target.region: an AWS region'],
    [{ functionName: 'ok', extra: 1 }, 'extra'],
    [
      { functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:f', region: 'us-east-1' },
      'target.region: differs from the region in functionName',
    ],
  ])('rejects %j as INVALID_INPUT naming the field', async (target, expected) => {
    const error = await new LambdaDependentController({
      clientFor: () => {
        throw new Error('no client should be built');
      },
    })
      .disable('inc-6', dependent(target))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ERROR_CODES.invalidInput });
    expect((error as Error).message).toContain(expected);
  });

  it('uses the region of a function ARN when no region is given', async () => {
    const regions: Array<string | undefined> = [];
    const lambdaController = new LambdaDependentController({
      clientFor: (region) => {
        regions.push(region);
        throw new Error('stop here');
      },
    });
    await lambdaController
      .disable('inc-7', dependent({ functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:f' }))
      .catch(() => undefined);
    await lambdaController
      .disable('inc-7', dependent({ functionName: 'f', region: 'ap-south-1' }))
      .catch(() => undefined);
    await lambdaController.disable('inc-7', dependent({ functionName: 'f' })).catch(() => undefined);
    expect(regions).toEqual(['eu-west-1', 'ap-south-1', undefined]);
  });
});

/**
 * moto cannot throttle or fail on demand, so a loopback endpoint answers as Lambda does
 * (status + x-amzn-errortype); the real SDK parses it.
 */
describe('lambda dependent controller: throttling and outages', () => {
  let server: Server;
  let answer: { status: number; type: string };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(answer.status, { 'content-type': 'application/json', 'x-amzn-errortype': answer.type });
      response.end(JSON.stringify({ Type: 'Service', message: `${answer.type} from the loopback endpoint` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [429, 'TooManyRequestsException', ERROR_CODES.rateLimited],
    [503, 'ServiceException', ERROR_CODES.providerUnavailable],
    [502, 'EC2UnexpectedException', ERROR_CODES.providerUnavailable],
  ])('maps HTTP %i %s to a retryable %s', async (status, type, code) => {
    answer = { status, type };
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const error = await controller({ accessKeyId: 'AKIAFAKEFAKEFAKE', secretAccessKey: 'fake-secret-key' }, endpoint)
      .disable('inc-8', dependent({ functionName: 'any' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code, retryable: true });
  });
});
