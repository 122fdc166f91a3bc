/**
 * One jest run over every package. ts-jest transpiles only (isolatedModules): types are checked
 * once by `pnpm typecheck`, which keeps the test run fast on two cores.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/packages', '<rootDir>/examples'],
  testMatch: ['**/test/**/*.test.ts', '**/examples/**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
  // Jest's default on two cores is one worker; most of the slow files wait on containers, daemons
  // and child processes rather than the CPU, so two workers nearly halve the run.
  maxWorkers: 2,
};
