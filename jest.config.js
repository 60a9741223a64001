/**
 * Three projects: unit (templates, in seconds, never building code), snapshot (stable on any
 * machine), integ (real toolchains, the packed library and, later, the embedded LocalStack).
 * Select one with `npx jest --selectProjects unit`.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const common = {
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'snapshot',
      testMatch: ['<rootDir>/test/snapshot/**/*.test.ts'],
      snapshotSerializers: ['<rootDir>/lib/testing/serializer.ts'],
    },
    {
      ...common,
      displayName: 'integ',
      testMatch: ['<rootDir>/test/integ/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integ/global-setup.ts',
      globalTeardown: '<rootDir>/test/integ/global-teardown.ts',
    },
    // A new user's app on the packed tarball: it starts its own local cloud on port 4566, so it runs
    // alone, after the integ project (see package.json "test").
    { ...common, displayName: 'consumer', testMatch: ['<rootDir>/test/consumer/**/*.test.ts'] },
    // Restarts and kills an embedded LocalStack of its own on the default port: runs alone, after the
    // integ project.
    { ...common, displayName: 'restart', testMatch: ['<rootDir>/test/integ-restart/**/*.test.ts'] },
  ],
};
