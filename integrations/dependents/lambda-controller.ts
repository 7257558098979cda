import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type LambdaClientConfig,
} from '@aws-sdk/client-lambda';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Dependent } from '../../domain/catalog';
import type { ProviderAnswer } from '../../domain/evidence';
import { conflict, invalidInput } from '../../domain/errors';
import type { DependentController } from '../ports';
import { providerAnswer } from '../shared/answer';
import { callAws, mapAwsError } from '../shared/aws-errors';

const KIND = 'lambda';
const PROVIDER = `dependent-${KIND}`;

/** Function tag holding the reserved concurrency seen before the first disable: a count, or `none`. */
export const PREVIOUS_CONCURRENCY_TAG = 'tourniquet:previous-concurrency';

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):\d{12}:function:[A-Za-z0-9_-]{1,64}$/;
const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/;

/** Catalog `target` of a dependent with `controller: lambda`. */
export const LambdaDependentTargetSchema = z
  .strictObject({
    functionName: z
      .string()
      .refine(
        (value) => /^[A-Za-z0-9_-]{1,64}$/.test(value) || FUNCTION_ARN.test(value),
        'a function name (letters, digits, - and _, up to 64) or an unqualified function ARN',
      ),
    region: z.string().regex(REGION, 'an AWS region such as eu-west-1').optional(),
  })
  .refine(
    (target) =>
      !target.region ||
      !FUNCTION_ARN.test(target.functionName) ||
      FUNCTION_ARN.exec(target.functionName)?.[1] === target.region,
    {
      message: 'differs from the region in functionName; drop one of them',
      path: ['region'],
    },
  );
export type LambdaDependentTarget = z.infer<typeof LambdaDependentTargetSchema>;

/** Parses a dependent's target; the error names the field (`target.functionName: ...`) and the fix. */
export function parseLambdaTarget(dependent: Dependent): { functionName: string; region: string | undefined } {
  const result = LambdaDependentTargetSchema.safeParse(dependent.target);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `target.${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw invalidInput(`${PROVIDER}: dependent ${dependent.id}: ${problems.join('; ')}`);
  }
  const { functionName, region } = result.data;
  return { functionName, region: region ?? FUNCTION_ARN.exec(functionName)?.[1] };
}

/** `none` or a count, as stored in the tag. */
const RecordedSchema = z.union([z.literal('none'), z.string().regex(/^\d+$/).transform(Number)]);

export interface LambdaControllerDeps {
  /** A client per region, signed by the remediation principal; undefined means the default region. */
  clientFor(region: string | undefined): LambdaClient;
  logger?: Logger;
}

/** One LambdaClient per region, built on first use from the options the caller gives for that region. */
export function lambdaClientsByRegion(
  options: (region: string | undefined) => LambdaClientConfig,
): LambdaControllerDeps['clientFor'] {
  const clients = new Map<string, LambdaClient>();
  return (region) => {
    let client = clients.get(region ?? '');
    if (!client) clients.set(region ?? '', (client = new LambdaClient(options(region))));
    return client;
  };
}

/**
 * Stops a Lambda function by setting its reserved concurrency to 0 (new invocations are throttled;
 * running ones finish) and restores exactly what was there before.
 *
 * disable: records the prior reserved concurrency in the function tag `tourniquet:previous-concurrency`
 * (a count, or `none`) before throttling, and only when no tag is there yet, so a retry or a second
 * incident keeps the first recorded value. enable: puts the recorded count back (or deletes the
 * reserved concurrency when it was `none`) and then removes the tag; without a tag it answers
 * alreadyDone. Both are safe to retry at any point. Errors: ResourceNotFound → NOT_FOUND,
 * AccessDenied → PERMISSION_DENIED, throttling → RATE_LIMITED, 5xx/network → PROVIDER_UNAVAILABLE.
 *
 * Permissions: lambda:GetFunction, GetFunctionConcurrency, PutFunctionConcurrency,
 * DeleteFunctionConcurrency, TagResource, UntagResource on the function.
 */
export class LambdaDependentController implements DependentController {
  readonly kind = KIND;

  constructor(private readonly deps: LambdaControllerDeps) {}

  async disable(incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    const { functionName, region } = parseLambdaTarget(dependent);
    const lambda = this.deps.clientFor(region);
    const { arn, recorded } = await this.readFunction(lambda, functionName);
    const current = await this.reservedConcurrency(lambda, functionName);
    const steps: string[] = [];
    const kept = recorded ?? (current === undefined ? 'none' : String(current));
    if (recorded === undefined) {
      await this.call('TagResource', () =>
        lambda.send(new TagResourceCommand({ Resource: arn, Tags: { [PREVIOUS_CONCURRENCY_TAG]: kept } })),
      );
      steps.push(`recorded previous reserved concurrency ${kept}`);
    }
    if (current !== 0) {
      await this.call('PutFunctionConcurrency', () =>
        lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: 0 })),
      );
      steps.push('reserved concurrency set to 0');
    }
    const alreadyDone = current === 0;
    this.deps.logger?.info(
      { provider: PROVIDER, incidentId, dependentId: dependent.id, functionArn: arn, previous: kept, alreadyDone },
      'lambda disabled',
    );
    const summary = alreadyDone
      ? `${dependent.id}: ${arn} already at reserved concurrency 0 (previous ${kept} on record)`
      : `${dependent.id}: ${arn}: ${steps.join(', ')}`;
    return providerAnswer(PROVIDER, 'disable', summary, { answerId: arn, alreadyDone });
  }

  async enable(incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    const { functionName, region } = parseLambdaTarget(dependent);
    const lambda = this.deps.clientFor(region);
    const { arn, recorded } = await this.readFunction(lambda, functionName);
    if (recorded === undefined)
      return providerAnswer(
        PROVIDER,
        'enable',
        `${dependent.id}: ${arn} has no ${PREVIOUS_CONCURRENCY_TAG} tag: nothing to restore`,
        {
          answerId: arn,
          alreadyDone: true,
        },
      );
    const previous = parseRecorded(recorded, arn);
    if (previous === 'none') {
      await this.call('DeleteFunctionConcurrency', () =>
        lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: functionName })),
      );
    } else {
      await this.call('PutFunctionConcurrency', () =>
        lambda.send(
          new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: previous }),
        ),
      );
    }
    // The tag goes last: a retry after a crash finds it and restores again, which changes nothing.
    await this.call('UntagResource', () =>
      lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: [PREVIOUS_CONCURRENCY_TAG] })),
    );
    this.deps.logger?.info(
      { provider: PROVIDER, incidentId, dependentId: dependent.id, functionArn: arn, restored: previous },
      'lambda enabled',
    );
    const restored =
      previous === 'none'
        ? 'reserved concurrency removed (there was none)'
        : `reserved concurrency restored to ${previous}`;
    return providerAnswer(PROVIDER, 'enable', `${dependent.id}: ${arn}: ${restored}`, { answerId: arn });
  }

  /** The function's ARN (tags are addressed by ARN) and the recorded tag value, when there is one. */
  private async readFunction(
    lambda: LambdaClient,
    functionName: string,
  ): Promise<{ arn: string; recorded: string | undefined }> {
    const out = await this.call('GetFunction', () =>
      lambda.send(new GetFunctionCommand({ FunctionName: functionName })),
    );
    const arn = out.Configuration?.FunctionArn;
    if (!arn) throw mapAwsError(PROVIDER, 'GetFunction', new Error('answer lacks Configuration.FunctionArn'));
    return { arn, recorded: out.Tags?.[PREVIOUS_CONCURRENCY_TAG] };
  }

  /** undefined when the function has no reserved concurrency (it shares the account's pool). */
  private async reservedConcurrency(lambda: LambdaClient, functionName: string): Promise<number | undefined> {
    const out = await this.call('GetFunctionConcurrency', () =>
      lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName })),
    );
    return out.ReservedConcurrentExecutions;
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callAws(PROVIDER, operation, run);
  }
}

/** A tag someone edited by hand cannot be restored safely: say so rather than guess. */
function parseRecorded(value: string, arn: string): number | 'none' {
  const result = RecordedSchema.safeParse(value);
  if (result.success) return result.data;
  throw conflict(
    `${PROVIDER}: tag ${PREVIOUS_CONCURRENCY_TAG}=${JSON.stringify(value)} on ${arn} is not a count or "none"; set it to the wanted reserved concurrency and retry`,
  );
}
