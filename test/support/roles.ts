import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testEnvironment, withAdmin } from './environment';

/** Creates (or resets) a login role on the test cluster and returns its password: the "leaked" value. */
export async function createLoginRole(role: string): Promise<string> {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  await withAdmin(testEnvironment().databaseUrl, async (admin) => {
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const verb = exists.rows.length ? 'ALTER' : 'CREATE';
    await admin.query(`${verb} ROLE ${role} LOGIN PASSWORD '${password}'`);
  });
  return password;
}

/** Opens a session as the role, as an attacker holding the leaked password would. */
export async function loginAs(role: string, password: string): Promise<Client> {
  const url = new URL(testEnvironment().databaseUrl);
  const client = new Client({ host: url.hostname, port: Number(url.port), database: 'postgres', user: role, password });
  await client.connect();
  client.on('error', () => undefined);
  return client;
}

export async function dropRole(role: string): Promise<void> {
  await withAdmin(testEnvironment().databaseUrl, async (admin) => {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [role]);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
  });
}
