import { z } from 'zod';
import { invalidInput } from '../../domain/errors';

/** Catalog `locator` of an `aws-iam-access-key` secret. Only the key id, never the secret key. */
export const AwsIamLocatorSchema = z.strictObject({
  accessKeyId: z
    .string()
    .regex(/^AKIA[A-Z0-9]{12,124}$/, 'an IAM user access key id starts with AKIA (ASIA keys are STS sessions)'),
  /** Recommended: lets revoke, end-sessions and rotation work after the key is already deleted. */
  userName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'an IAM user name (letters, digits, +=,.@_-)')
    .optional(),
  /** When set, the key's account (sts:GetAccessKeyInfo) must match, or nothing is done. */
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'an AWS account id has 12 digits')
    .optional(),
});
export type AwsIamLocator = z.infer<typeof AwsIamLocatorSchema>;

export function parseAwsIamLocator(locator: Record<string, unknown>): AwsIamLocator {
  const result = AwsIamLocatorSchema.safeParse(locator);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `locator.${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw invalidInput(`aws-iam-access-key: ${problems.join('; ')}`);
}

/** What issueReplacement hands back (and what the delivery stores): the AWS credentials-file field names. */
export const AwsKeyPairSchema = z.object({
  accessKeyId: z.string().regex(/^AKIA[A-Z0-9]{12,124}$/, 'an access key id'),
  secretAccessKey: z.string().min(16, 'a secret access key'),
});
export type AwsKeyPair = z.infer<typeof AwsKeyPairSchema>;

export function parseKeyPair(value: string): AwsKeyPair {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw invalidInput('aws-iam-access-key: the replacement value is not the JSON key pair issueReplacement returns');
  }
  const result = AwsKeyPairSchema.safeParse(json);
  if (!result.success)
    throw invalidInput('aws-iam-access-key: the replacement value lacks accessKeyId/secretAccessKey');
  return result.data;
}
