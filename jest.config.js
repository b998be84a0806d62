/** Unit specs next to the code, API and socket tests under test/, all against a real PostgreSQL. */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
    // The browser's own modules, which some tests drive directly (the churn test's pages use the page's sequencer).
    '^.+/public/js/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/client/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30000,
};
