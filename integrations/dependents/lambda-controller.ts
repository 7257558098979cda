import * as Lambda from '@aws-sdk/client-lambda';
import { z } from 'zod';
import type { Dependent } from '../../domain/catalog';
import type { DependentController } from '../ports';
import { mapAwsError } from '../shared/aws-errors';
import { parseDependentTarget, TaggedCapacityController, type CapacityCalls } from './tagged-capacity';

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
  const { functionName, region } = parseDependentTarget(PROVIDER, LambdaDependentTargetSchema, dependent);
  return { functionName, region: region ?? FUNCTION_ARN.exec(functionName)?.[1] };
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
export class LambdaDependentController
  extends TaggedCapacityController<Lambda.LambdaClient>
  implements DependentController
{
  readonly kind = KIND;
  protected readonly capacity = { tag: PREVIOUS_CONCURRENCY_TAG, measure: 'reserved concurrency', allowsNone: true };

  /** The function as a workload whose reserved concurrency is set to 0 and back. */
  protected workload(dependent: Dependent): CapacityCalls {
    const { functionName, region } = parseLambdaTarget(dependent);
    const lambda = this.deps.clientFor(region);
    return {
      read: async () => {
        // Both at once (neither needs the other): the function, with its ARN and tags, and its reserved
        // concurrency (none: the function shares the account's pool).
        const [fn, concurrency] = await Promise.all([
          this.call('GetFunction', () => lambda.send(new Lambda.GetFunctionCommand({ FunctionName: functionName }))),
          this.call('GetFunctionConcurrency', () =>
            lambda.send(new Lambda.GetFunctionConcurrencyCommand({ FunctionName: functionName })),
          ),
        ]);
        const arn = fn.Configuration?.FunctionArn;
        if (!arn) throw mapAwsError(PROVIDER, 'GetFunction', new Error('answer lacks Configuration.FunctionArn'));
        const current = concurrency.ReservedConcurrentExecutions ?? 'none';
        return { arn, current, recorded: fn.Tags?.[PREVIOUS_CONCURRENCY_TAG] };
      },
      writeTag: async (arn, value) => {
        await this.call('TagResource', () =>
          lambda.send(new Lambda.TagResourceCommand({ Resource: arn, Tags: { [PREVIOUS_CONCURRENCY_TAG]: value } })),
        );
      },
      removeTag: async (arn) => {
        await this.call('UntagResource', () =>
          lambda.send(new Lambda.UntagResourceCommand({ Resource: arn, TagKeys: [PREVIOUS_CONCURRENCY_TAG] })),
        );
      },
      setCapacity: async (capacity) => {
        if (capacity === 'none')
          await this.call('DeleteFunctionConcurrency', () =>
            lambda.send(new Lambda.DeleteFunctionConcurrencyCommand({ FunctionName: functionName })),
          );
        else
          await this.call('PutFunctionConcurrency', () =>
            lambda.send(
              new Lambda.PutFunctionConcurrencyCommand({
                FunctionName: functionName,
                ReservedConcurrentExecutions: capacity,
              }),
            ),
          );
      },
    };
  }
}
