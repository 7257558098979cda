import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';

/**
 * A real moto_server on loopback with IAM authentication switched on, so requests signed by
 * unknown (deleted) keys fail as they do on AWS. moto authenticates only when asked: the
 * remediation principal is created while auth is off, then `POST /moto-api/reset-auth 0` turns
 * it on for every later request (moto's documented INITIAL_NO_AUTH_ACTION_COUNT switch).
 */
export interface MotoServer {
  endpoint: string;
  region: string;
  /** Credentials of the remediation principal (an IAM user with an allow-all inline policy). */
  admin: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function motoCommand(): { command: string; prefix: string[] } {
  const onPath = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (onPath.status === 0) return { command: 'moto_server', prefix: [] };
  return { command: 'python3', prefix: ['-m', 'moto.server'] };
}

async function waitReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with ${child.exitCode}; install it with pip install 'moto[server]'`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs}ms`);
}

export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const { command, prefix } = motoCommand();
  const child = spawn(command, [...prefix, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ACCOUNT_ID: '123456789012' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitReady(endpoint, child, options.timeoutMs ?? 30_000);
    const admin = await bootstrapAdmin(endpoint);
    const auth = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    if (!auth.ok) throw new Error(`moto reset-auth answered ${auth.status}`);
    return { endpoint, region: 'us-east-1', admin, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nmoto stderr: ${stderr}`);
  }
}

async function bootstrapAdmin(endpoint: string): Promise<MotoServer['admin']> {
  const iam = new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' },
  });
  const UserName = 'tourniquet-remediator';
  await iam.send(new CreateUserCommand({ UserName }));
  const PolicyDocument = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  await iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'allow-all', PolicyDocument }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey;
  iam.destroy();
  if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error('moto did not return an access key');
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}
