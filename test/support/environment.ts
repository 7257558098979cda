import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Where globalSetup wrote this run's services. Each jest run gets its own file (globalSetup sets
 * the variable, test workers inherit it), so concurrent runs never stop each other's servers.
 */
export const ENVIRONMENT_FILE = process.env.TOURNIQUET_TEST_ENV ?? join(__dirname, '../../.data/test/environment.json');

export interface TestEnvironment {
  temporalAddress: string;
  temporalPid: number;
  /** Superuser URL of the shared test PostgreSQL cluster. */
  databaseUrl: string;
  postgresDataDir: string;
  /** Leader of the PostgreSQL server's process group. */
  postgresPid?: number;
  workflowBundlePath: string;
  /** The run's TMPDIR (test/support/scratch.ts), removed by globalTeardown. */
  scratchDir: string;
}

/** The services globalSetup started for this test run. */
export function testEnvironment(): TestEnvironment {
  return JSON.parse(readFileSync(ENVIRONMENT_FILE, 'utf8')) as TestEnvironment;
}

/** Creates a fresh, empty database on the test cluster and returns its superuser URL. */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: testEnvironment().databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testEnvironment().databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs SQL as the superuser against a database of the test cluster. */
export async function withAdmin<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
