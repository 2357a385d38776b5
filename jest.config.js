/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 120000,
  // Once per run, before any suite: build dist/ if stale, check tools and CRDs (one line if missing).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // One worker per core: the suites are independent (each works in its own temp dirs), and the slow
  // ones (property, cli, e2e) are CPU-bound, so more workers than cores only adds switching.
  maxWorkers: require('node:os').availableParallelism(),
};
