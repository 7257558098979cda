import { ConfigError, parseConfig } from '../../../workers/config';

/** The message parseConfig throws for an environment (failing the test if it parses). */
function configError(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration parsed');
}

describe('parseConfig', () => {
  it('runs on embedded defaults with an empty environment', () => {
    expect(parseConfig({})).toMatchObject({
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'tourniquet',
      TEMPORAL_TLS: false,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: 8080,
      CATALOG_PATH: 'catalog.example.yaml',
      DATA_DIR: '.data',
      LOG_LEVEL: 'info',
    });
    const config = parseConfig({});
    // Unset means "start the dev server" and "use embedded PGlite": they must stay undefined.
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.VAULT_KEY).toBeUndefined();
  });

  it('treats an empty variable as unset, as shells and compose files often leave them', () => {
    const config = parseConfig({ HTTP_PORT: '', TEMPORAL_ADDRESS: '' });
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('reads ports as numbers and ignores variables it does not know', () => {
    const config = parseConfig({ HTTP_PORT: '9090', PATH: '/usr/bin' });
    expect(config.HTTP_PORT).toBe(9090);
    expect(config).not.toHaveProperty('PATH');
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads the flag value %j as %s', (value, expected) => {
    expect(parseConfig({ TEMPORAL_TLS: value }).TEMPORAL_TLS).toBe(expected);
  });

  it('refuses a flag that is neither true nor false, naming it', () => {
    expect(configError({ SLACK_SOCKET_MODE: 'maybe' })).toMatch(/SLACK_SOCKET_MODE: write true or false/);
  });

  it.each(['http', '70000', '-1', '80.5'])('refuses the port %j, naming the variable', (value) => {
    expect(configError({ HTTP_PORT: value })).toContain('HTTP_PORT');
  });

  it('lists every bad variable, and only those', () => {
    const message = configError({ HTTP_PORT: 'http', TEMPORAL_TLS: 'maybe', TEMPORAL_NAMESPACE: 'prod' });
    expect(message).toContain('HTTP_PORT');
    expect(message).toContain('TEMPORAL_TLS');
    expect(message).not.toContain('TEMPORAL_NAMESPACE');
  });

  it('never echoes a secret setting in its error', () => {
    const secrets = {
      VAULT_KEY: 'canary-vault-0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      FINGERPRINT_KEY: 'canary-fingerprint-key-material',
      DATABASE_URL: 'postgres://app:canary-db-password@db:5432/app',
      SLACK_BOT_TOKEN: 'xoxb-canary-slack-token',
    };
    const message = configError({ ...secrets, HTTP_PORT: 'http', TEMPORAL_TLS: 'maybe', LOG_LEVEL: 'loud' });
    expect(message).toContain('LOG_LEVEL');
    for (const value of Object.values(secrets)) expect(message).not.toContain(value);
    expect(message).not.toContain('canary');
  });

  it.each([
    ['not a URL', 'canary-db-password-7f3a'],
    ['a URL of another scheme', 'mysql://app:canary-db-password-7f3a@db.internal:3306/app'],
    ['a host name with a space in it', 'postgres://app:canary-db-password-7f3a@db internal/app'],
  ])('refuses a DATABASE_URL that is %s, naming it without quoting it', (_, value) => {
    const message = configError({ DATABASE_URL: value });
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('postgres://user:password@host:port/database');
    expect(message).not.toContain('canary');
  });

  it('takes postgres://, postgresql:// and socket: URLs', () => {
    for (const url of [
      'postgres://app:pw@127.0.0.1:5432/app',
      'postgresql://app:pw@db.internal/app?sslmode=require',
      'socket:/var/run/postgresql?db=app',
    ])
      expect(parseConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });
});
