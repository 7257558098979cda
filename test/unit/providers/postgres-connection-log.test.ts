import { parseCsvLog, sessionsOfRole } from '../../../integrations/postgres-role/connection-log';

// Lines as PostgreSQL 15 writes them with log_connections = on and log_destination = 'csvlog'.
const LOG = [
  '2026-12-03 08:22:43.642 UTC,,,10964,"127.0.0.1:52042",6b1126d3.2ad4,1,"",2026-12-03 08:22:43 UTC,,0,LOG,00000,"connection received: host=127.0.0.1 port=52042",,,,,,,,,"","not initialized",,0',
  '2026-12-03 08:22:43.647 UTC,"app","postgres",10964,"127.0.0.1:52042",6b1126d3.2ad4,3,"authentication",2026-12-03 08:22:43 UTC,4/1,0,LOG,00000,"connection authorized: user=app database=postgres application_name=billing api",,,,,,,,,"","client backend",,0',
  '2026-12-03 08:22:44.001 UTC,"app","postgres",10964,"127.0.0.1:52042",6b1126d3.2ad4,4,"SELECT",2026-12-03 08:22:43 UTC,4/2,0,ERROR,42601,"syntax error at or near ""x""",,,,,,"SELECT x,',
  'FROM t",,,"psql","client backend",,0',
  '2026-12-03 08:22:43.670 UTC,"app","postgres",10965,"10.0.0.9:52048",6b1126d3.2ad5,2,"authentication",2026-12-03 08:22:43 UTC,5/1,0,FATAL,28P01,"password authentication failed for user ""app""","Connection matched pg_hba.conf line 87",,,,,,,,"","client backend",,0',
  '2026-12-03 08:22:43.690 UTC,"app","postgres",10966,"127.0.0.1:52052",6b1126d3.2ad6,3,"authentication",2026-12-03 08:22:43 UTC,5/2,0,LOG,00000,"connection authorized: user=app database=postgres application_name=x2",,,,,,,,,"","client backend",,0',
  '2026-12-03 08:22:43.690 UTC,"app","postgres",10966,"127.0.0.1:52052",6b1126d3.2ad6,4,"startup",2026-12-03 08:22:43 UTC,5/2,0,FATAL,28000,"role ""app"" is not permitted to log in",,,,,,,,,"","client backend",,0',
  '2026-12-03 08:22:45.000 UTC,"other","postgres",10967,"127.0.0.1:52060",6b1126d3.2ad7,3,"authentication",2026-12-03 08:22:45 UTC,5/3,0,LOG,00000,"connection authorized: user=other database=postgres",,,,,,,,,"","client backend",,0',
  '',
].join('\n');

describe('PostgreSQL csvlog connection lines', () => {
  it('reads quoted fields with commas, doubled quotes and newlines', () => {
    const rows = parseCsvLog(LOG);
    expect(rows).toHaveLength(7);
    expect(rows[2]![13]).toBe('syntax error at or near "x"');
    expect(rows[2]![19]).toBe('SELECT x,\nFROM t');
  });

  it('finds one login per backend of the role: accepted, refused by password, refused by NOLOGIN', () => {
    const sessions = sessionsOfRole(parseCsvLog(LOG), 'app');
    expect(sessions).toEqual([
      expect.objectContaining({
        pid: 10964,
        at: '2026-12-03T08:22:43.642Z',
        clientAddr: '127.0.0.1',
        applicationName: 'billing api',
        refused: false,
        database: 'postgres',
      }),
      expect.objectContaining({ pid: 10965, clientAddr: '10.0.0.9', refused: true, sqlState: '28P01' }),
      expect.objectContaining({ pid: 10966, applicationName: 'x2', refused: true, sqlState: '28000' }),
    ]);
  });

  it('drops the broken first record of a file read from the middle', () => {
    const partial = LOG.slice(LOG.indexOf('connection received'));
    const rows = parseCsvLog(partial, true);
    expect(rows[0]![0]).toBe('2026-12-03 08:22:43.647 UTC');
    expect(sessionsOfRole(rows, 'app').map((s) => s.pid)).toEqual([10964, 10965, 10966]);
  });
});
