/** Tests run against real services started once in globalSetup (Temporal dev server, PostgreSQL). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  // Child services (moto, Chromium) and SDK connection timers can outlive a file by a moment; never
  // let one keep CI waiting once every test has reported.
  forceExit: true,
};
