/**
 * Containment time per provider against its emulator or fake: revoke → proveDead true, measured
 * as the workflow experiences it (both adapter calls, real HTTP on loopback). AWS runs against
 * moto_server with IAM auth on; GitHub, Slack, Vault and webhooks against the loopback fakes.
 * Run: npx tsc -p tsconfig.json --outDir /tmp/tq-bench && NODE_PATH=$PWD/node_modules node /tmp/tq-bench/bench/provider-containment.js
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsIamAccessKeyProvider } from '../integrations/aws-iam/access-key-provider';
import { SecretsManagerProvider } from '../integrations/aws-secrets-manager/secret-provider';
import { GitHubRevocationBatcher } from '../integrations/github-token/revocation-batcher';
import { GitHubTokenProvider } from '../integrations/github-token/token-provider';
import type { CredentialProvider, CredentialTarget, DeathCheck, Revocation } from '../integrations/ports';
import { SlackTokenProvider } from '../integrations/slack-token/token-provider';
import { VaultHttp } from '../integrations/vault-hashicorp/vault-http';
import { VaultProvider } from '../integrations/vault-hashicorp/vault-provider';
import { WebhookCredentialProvider } from '../integrations/webhook-provider/webhook-provider';
import { credentialTarget } from '../test/support/credential-target';
import { startMoto } from '../test/support/moto';
import { FakeGitHubApi } from '../test/fakes/github-api';
import { FakeSlackTokenApi } from '../test/fakes/slack-token-api';
import { FakeVaultApi } from '../test/fakes/vault-api';
import { FakeWebhookReceiver } from '../test/fakes/webhook-receiver';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const POLL = { timeoutMs: 10_000, intervalMs: 25 };

async function measure(
  name: string,
  provider: CredentialProvider & Revocation & DeathCheck,
  prepare: (run: number) => Promise<CredentialTarget>,
): Promise<void> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const target = await prepare(run);
    const started = performance.now();
    await provider.revoke(target);
    const proof = await provider.proveDead(target);
    if (!proof.dead) throw new Error(`${name}: not dead after revoke: ${proof.checks.join('; ')}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(`${name.padEnd(34)} runs=${RUNS} median=${at(0.5)}ms p90=${at(0.9)}ms max=${at(1)}ms`);
}

async function aws(): Promise<void> {
  const moto = await startMoto();
  const options = { endpoint: moto.endpoint, region: moto.region, credentials: moto.admin };
  const iam = new IAMClient(options);
  const sts = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new STSClient({ ...options, credentials, maxAttempts: 1 });
  try {
    const keys = new AwsIamAccessKeyProvider({ iam, sts: sts(moto.admin), stsForKey: sts, poll: POLL });
    await measure('aws-iam-access-key (moto)', keys, async (run) => {
      await iam.send(new CreateUserCommand({ UserName: `bench-${run}` }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: `bench-${run}` }))).AccessKey!;
      return credentialTarget(
        'aws-iam-access-key',
        { accessKeyId: key.AccessKeyId!, userName: `bench-${run}` },
        key.SecretAccessKey,
      );
    });
    const sm = new SecretsManagerClient(options);
    await measure('aws-secrets-manager (moto)', new SecretsManagerProvider({ clientFor: () => sm }), async (run) => {
      await sm.send(new CreateSecretCommand({ Name: `bench/${run}`, SecretString: `leaked-${run}-value` }));
      return credentialTarget('aws-secrets-manager', { secretId: `bench/${run}` }, `leaked-${run}-value`, {
        id: `sm-${run}`,
      });
    });
  } finally {
    await moto.stop();
  }
}

async function fakes(): Promise<void> {
  const github = new FakeGitHubApi();
  const slack = new FakeSlackTokenApi();
  const vault = new FakeVaultApi('root');
  const team = new FakeWebhookReceiver('bench-signing-key-0123456789abcdef');
  await Promise.all([github.start(), slack.start(), vault.start(), team.start()]);
  try {
    const batcher = new GitHubRevocationBatcher({
      url: `${github.url}/credentials/revoke`,
      windowMs: 0,
      maxRequestsPerHour: 1_000,
    });
    await measure(
      'github-token (fake, 0ms window)',
      new GitHubTokenProvider({ apiUrl: github.url, batcher, poll: POLL }),
      async (run) => {
        github.live.add(`ghp_bench${run}`);
        return credentialTarget('github-token', {}, `ghp_bench${run}`, { id: `gh-${run}` });
      },
    );
    await measure(
      'slack-token (fake)',
      new SlackTokenProvider({ apiUrl: `${slack.url}/api/`, poll: POLL }),
      async (run) => {
        slack.live.add(`xoxb-bench-${run}`);
        return credentialTarget('slack-token', {}, `xoxb-bench-${run}`);
      },
    );
    const vaultProvider = new VaultProvider({ http: new VaultHttp({ address: vault.url, token: 'root' }), poll: POLL });
    await measure('vault lease (fake)', vaultProvider, async (run) => {
      vault.leases.add(`database/creds/app/${run}`);
      return credentialTarget('vault', { type: 'lease', leaseId: `database/creds/app/${run}` });
    });
    let dead = false;
    team.answer = (payload) =>
      payload.operation === 'prove-dead' ? { status: 'done', dead } : ((dead = true), { status: 'done' });
    await measure(
      'webhook (fake)',
      new WebhookCredentialProvider({ signingKey: 'bench-signing-key-0123456789abcdef' }),
      async (run) => {
        dead = false;
        return credentialTarget('webhook', { url: team.url }, undefined, { id: `wh-${run}` });
      },
    );
  } finally {
    await Promise.all([github.stop(), slack.stop(), vault.stop(), team.stop()]);
  }
}

async function main(): Promise<void> {
  await aws();
  await fakes();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
