/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 120000,
  // e2e tests shell out to kpt/kustomize on the built bundle; two cores, keep parallelism modest.
  maxWorkers: 2,
};
