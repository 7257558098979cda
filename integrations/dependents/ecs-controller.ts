import * as ECS from '@aws-sdk/client-ecs';
import { z } from 'zod';
import type { Dependent } from '../../domain/catalog';
import { notFound } from '../../domain/errors';
import type { DependentController } from '../ports';
import { mapAwsError } from '../shared/aws-errors';
import { parseDependentTarget, TaggedCapacityController, type CapacityCalls } from './tagged-capacity';

const KIND = 'ecs';
const PROVIDER = `dependent-${KIND}`;

/** Service tag holding the desired count seen before the first disable. */
export const PREVIOUS_DESIRED_COUNT_TAG = 'tourniquet:previous-desired-count';

const REGION_PART = '([a-z]{2}(?:-gov)?-[a-z]+-\\d)';
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER_ARN = new RegExp(`^arn:aws[a-z-]*:ecs:${REGION_PART}:\\d{12}:cluster/[A-Za-z0-9_-]{1,255}$`);
/** Long (`service/<cluster>/<name>`) and short (`service/<name>`) service ARN formats. */
const SERVICE_ARN = new RegExp(
  `^arn:aws[a-z-]*:ecs:${REGION_PART}:\\d{12}:service/(?:[A-Za-z0-9_-]{1,255}/)?[A-Za-z0-9_-]{1,255}$`,
);
const REGION = new RegExp(`^${REGION_PART}$`);

const arnRegion = (value: string | undefined, arn: RegExp): string | undefined =>
  value ? arn.exec(value)?.[1] : undefined;

/** Catalog `target` of a dependent with `controller: ecs`. */
export const EcsDependentTargetSchema = z
  .strictObject({
    cluster: z
      .string()
      .refine(
        (value) => NAME.test(value) || CLUSTER_ARN.test(value),
        'a cluster name (letters, digits, - and _, up to 255) or a cluster ARN',
      ),
    service: z
      .string()
      .refine(
        (value) => NAME.test(value) || SERVICE_ARN.test(value),
        'a service name (letters, digits, - and _, up to 255) or a service ARN',
      ),
    region: z.string().regex(REGION, 'an AWS region such as eu-west-1').optional(),
  })
  .superRefine((target, context) => {
    const fromCluster = arnRegion(target.cluster, CLUSTER_ARN);
    const fromService = arnRegion(target.service, SERVICE_ARN);
    if (target.region && fromCluster && fromCluster !== target.region)
      context.addIssue({
        code: 'custom',
        path: ['region'],
        message: 'differs from the region in cluster; drop one of them',
      });
    if (target.region && fromService && fromService !== target.region)
      context.addIssue({
        code: 'custom',
        path: ['region'],
        message: 'differs from the region in service; drop one of them',
      });
    if (fromCluster && fromService && fromCluster !== fromService)
      context.addIssue({
        code: 'custom',
        path: ['service'],
        message: 'its region differs from the region in cluster; use ARNs of one region',
      });
  });
export type EcsDependentTarget = z.infer<typeof EcsDependentTargetSchema>;

/** Parses a dependent's target; the error names the field (`target.cluster: ...`) and the fix. */
export function parseEcsTarget(dependent: Dependent): { cluster: string; service: string; region: string | undefined } {
  const { cluster, service, region } = parseDependentTarget(PROVIDER, EcsDependentTargetSchema, dependent);
  return { cluster, service, region: region ?? arnRegion(cluster, CLUSTER_ARN) ?? arnRegion(service, SERVICE_ARN) };
}

/**
 * Stops an ECS service by setting its desired count to 0 (the scheduler stops its tasks) and
 * restores exactly the count it had before.
 *
 * disable: records the prior desired count in the service tag `tourniquet:previous-desired-count`
 * before scaling to 0, and only when no tag is there yet, so a retry or a second incident keeps the
 * first recorded value. enable: puts the recorded count back, then removes the tag; without a tag it
 * answers alreadyDone. Both are safe to retry at any point. Errors: ServiceNotFoundException,
 * ClusterNotFoundException, an INACTIVE/DRAINING service → NOT_FOUND; AccessDenied →
 * PERMISSION_DENIED; throttling → RATE_LIMITED; 5xx/network → PROVIDER_UNAVAILABLE.
 *
 * Permissions: ecs:DescribeServices, UpdateService, TagResource, UntagResource on the service.
 */
export class EcsDependentController extends TaggedCapacityController<ECS.ECSClient> implements DependentController {
  readonly kind = KIND;
  protected readonly capacity = { tag: PREVIOUS_DESIRED_COUNT_TAG, measure: 'desired count', allowsNone: false };

  /** The service as a workload whose desired count is set to 0 and back. */
  protected workload(dependent: Dependent): CapacityCalls {
    const { cluster, service, region } = parseEcsTarget(dependent);
    const ecs = this.deps.clientFor(region);
    return {
      read: async () => {
        const out = await this.call('DescribeServices', () =>
          ecs.send(new ECS.DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] })),
        );
        const found = out.services?.[0];
        if (!found) {
          const reason = out.failures?.[0]?.reason ?? 'no service in the answer';
          throw notFound(
            `${PROVIDER} DescribeServices: service ${service} in cluster ${cluster}: ${reason}; check the dependent's target`,
          );
        }
        // DescribeServices still lists deleted services for a while; they cannot be scaled.
        if (found.status !== 'ACTIVE')
          throw notFound(
            `${PROVIDER} DescribeServices: service ${service} in cluster ${cluster} is ${found.status ?? 'of unknown status'} (deleted); check the dependent's target`,
          );
        if (!found.serviceArn || found.desiredCount === undefined)
          throw mapAwsError(PROVIDER, 'DescribeServices', new Error('answer lacks serviceArn or desiredCount'));
        const recorded = found.tags?.find((tag) => tag.key === PREVIOUS_DESIRED_COUNT_TAG)?.value;
        return { arn: found.serviceArn, current: found.desiredCount, recorded };
      },
      writeTag: async (arn, value) => {
        await this.call('TagResource', () =>
          ecs.send(
            new ECS.TagResourceCommand({ resourceArn: arn, tags: [{ key: PREVIOUS_DESIRED_COUNT_TAG, value }] }),
          ),
        );
      },
      removeTag: async (arn) => {
        await this.call('UntagResource', () =>
          ecs.send(new ECS.UntagResourceCommand({ resourceArn: arn, tagKeys: [PREVIOUS_DESIRED_COUNT_TAG] })),
        );
      },
      setCapacity: async (capacity) => {
        // allowsNone is false: the shared algorithm never hands 'none' to a service.
        const desiredCount = capacity === 'none' ? 0 : capacity;
        await this.call('UpdateService', () =>
          ecs.send(new ECS.UpdateServiceCommand({ cluster, service, desiredCount })),
        );
      },
    };
  }
}
