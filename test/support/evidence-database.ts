import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../integrations/database/database';
import { createTestDatabase } from './environment';

/**
 * A fresh, migrated PostgreSQL database for the closure-evidence tests, on the shared test
 * cluster started by globalSetup. TOURNIQUET_TEST_PG_URL (an admin URL) points them at another
 * cluster instead, to run these files without starting Temporal.
 */
export async function openEvidenceTestDatabase(): Promise<{ database: Database; url: string }> {
  const admin = process.env.TOURNIQUET_TEST_PG_URL;
  const url = admin ? await createDatabaseOn(admin) : await createTestDatabase('evidence');
  return { database: await openDatabase({ url, embeddedDir: '' }), url };
}

async function createDatabaseOn(admin: string): Promise<string> {
  const name = `evidence_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
