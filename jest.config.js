/** Tests run against real services started once in globalSetup (Temporal dev server, PostgreSQL). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The 30-day wait continued as new stalls now and then on the time-skipping server (see
  // test/workflow/month-long-wait.scenario.ts): it runs with `npm run test:month`, not in `npm test`.
  testPathIgnorePatterns: process.env.TOURNIQUET_MONTH_TEST
    ? ['/node_modules/']
    : ['/node_modules/', 'month-long-wait-roll-over'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  // Child services (moto, Chromium) and SDK connection timers can outlive a file by a moment; never
  // let one keep CI waiting once every test has reported.
  forceExit: true,
};
