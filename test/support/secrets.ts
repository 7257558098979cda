import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestApp } from './app';

/** A history as text with every payload decoded, so a search sees what Temporal stored. */
export function historyText(history: temporal.api.history.v1.IHistory): string {
  const json = JSON.stringify(history);
  const decoded = [...json.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((match) =>
    Buffer.from(match[1]!, 'base64').toString('utf8'),
  );
  return `${json}\n${decoded.join('\n')}`;
}

/** Fails if `value` appears in clear in any text or JSON column of any table of the app's database. */
export async function expectNowhereInDatabase(app: TestApp, value: string): Promise<void> {
  const columns = await app.database.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND data_type IN ('text', 'jsonb', 'json', 'character varying', 'bytea')`,
  );
  expect(columns.rows.length).toBeGreaterThan(0);
  for (const { table_name, column_name } of columns.rows) {
    const hits = await app.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${table_name}" WHERE position($1 in convert_from(convert_to("${column_name}"::text, 'UTF8'), 'UTF8')) > 0`,
      [value],
    );
    expect({ table: table_name, column: column_name, hits: Number(hits.rows[0]?.n) }).toEqual({
      table: table_name,
      column: column_name,
      hits: 0,
    });
  }
}

/**
 * With RECORD_HISTORIES=1, saves a workflow's history for the replay tests (test/replay/histories)
 * as binary protobuf: the SDK's JSON history parser trips over two protobufjs versions here.
 */
export function recordHistoryIfAsked(name: string, history: temporal.api.history.v1.IHistory): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  writeFileSync(
    join(__dirname, '../replay/histories', `${name}.history.pb`),
    temporal.api.history.v1.History.encode(history).finish(),
  );
}
