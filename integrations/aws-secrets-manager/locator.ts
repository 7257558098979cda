import { z } from 'zod';

const secretId = z.string().min(1).max(2048, 'a secret name or ARN (at most 2048 characters)');
const region = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
  .optional();

/** Catalog `locator` of an `aws-secrets-manager` secret. */
export const SecretsManagerLocatorSchema = z.strictObject({
  secretId,
  region,
  /** Length of the generated value when no rotation function exists. */
  valueLength: z.number().int().min(16).max(4096).default(40),
  excludePunctuation: z.boolean().default(true),
});
export type SecretsManagerLocator = z.infer<typeof SecretsManagerLocatorSchema>;

/** Catalog `delivery` of a secret whose rotated value goes to AWS Secrets Manager. */
export const SecretsManagerDeliverySchema = z.strictObject({
  kind: z.literal('aws-secrets-manager'),
  secretId,
  region,
});
export type SecretsManagerDelivery = z.infer<typeof SecretsManagerDeliverySchema>;
