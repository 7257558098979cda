import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import type { Logger } from 'pino';
import { AwsIamAccessKeyProvider } from './aws-iam/access-key-provider';
import { SecretsManagerDelivery } from './aws-secrets-manager/secret-delivery';
import { SecretsManagerProvider } from './aws-secrets-manager/secret-provider';
import { EcsDependentController } from './dependents/ecs-controller';
import { LambdaDependentController } from './dependents/lambda-controller';
import { ManualDependentController } from './dependents/manual-controller';
import { clientsByRegion } from './dependents/tagged-capacity';
import { WebhookDependentController } from './dependents/webhook-controller';
import { GitHubRevocationBatcher } from './github-token/revocation-batcher';
import { GitHubTokenProvider } from './github-token/token-provider';
import type { CredentialProvider, DependentController, ReplacementDelivery } from './ports';
import { SlackTokenProvider } from './slack-token/token-provider';
import { VaultHttp } from './vault-hashicorp/vault-http';
import { VaultProvider } from './vault-hashicorp/vault-provider';
import { WebhookCredentialProvider } from './webhook-provider/webhook-provider';

/**
 * Builds the external provider adapters from the parsed configuration. AWS clients use the SDK's
 * own credential chain (the remediation principal, never a leaked key) and AWS_ENDPOINT_URL when
 * set (moto in tests). The lead's registry adds the `postgres` and `manual` providers.
 */
export interface ProvidersConfig {
  AWS_REGION: string;
  AWS_ENDPOINT_URL?: string;
  GITHUB_API_URL: string;
  GITHUB_CREDENTIAL_REVOCATION_URL: string;
  SLACK_TOKEN_API_URL: string;
  VAULT_ADDR?: string;
  VAULT_TOKEN?: string;
  PROVIDER_WEBHOOK_SIGNING_KEY?: string;
}

function awsOptions(config: ProvidersConfig, region?: string) {
  return {
    region: region ?? config.AWS_REGION,
    ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}),
  };
}

function secretsManagerClients(config: ProvidersConfig): (region: string | undefined) => SecretsManagerClient {
  const clients = new Map<string, SecretsManagerClient>();
  return (region) => {
    const key = region ?? config.AWS_REGION;
    let client = clients.get(key);
    if (!client) clients.set(key, (client = new SecretsManagerClient(awsOptions(config, key))));
    return client;
  };
}

export function createExternalProviders(config: ProvidersConfig, logger?: Logger): CredentialProvider[] {
  const secretsManager = secretsManagerClients(config);
  return [
    new AwsIamAccessKeyProvider({
      iam: new IAMClient(awsOptions(config)),
      sts: new STSClient(awsOptions(config)),
      // One attempt: a refused old key is the answer we hope for, not a fault to retry.
      stsForKey: (credentials) => new STSClient({ ...awsOptions(config), credentials, maxAttempts: 1 }),
      logger,
    }),
    new SecretsManagerProvider({ clientFor: secretsManager, logger }),
    new GitHubTokenProvider({
      apiUrl: config.GITHUB_API_URL,
      batcher: new GitHubRevocationBatcher({ url: config.GITHUB_CREDENTIAL_REVOCATION_URL }),
      logger,
    }),
    new SlackTokenProvider({ apiUrl: config.SLACK_TOKEN_API_URL, logger }),
    new VaultProvider({ http: new VaultHttp({ address: config.VAULT_ADDR, token: config.VAULT_TOKEN }), logger }),
    new WebhookCredentialProvider({ signingKey: config.PROVIDER_WEBHOOK_SIGNING_KEY }),
  ];
}

export function createDeliveries(config: ProvidersConfig, logger?: Logger): ReplacementDelivery[] {
  return [new SecretsManagerDelivery({ clientFor: secretsManagerClients(config), logger })];
}

export function createDependentControllers(config: ProvidersConfig): DependentController[] {
  return [
    new WebhookDependentController({ signingKey: config.PROVIDER_WEBHOOK_SIGNING_KEY }),
    new ManualDependentController(),
    new LambdaDependentController({
      clientFor: clientsByRegion((region) => new LambdaClient(awsOptions(config, region))),
    }),
    new EcsDependentController({ clientFor: clientsByRegion((region) => new ECSClient(awsOptions(config, region))) }),
  ];
}
