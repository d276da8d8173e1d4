// Jest projects by tier (ARCHITECTURE.md "Testing"). Test files are TypeScript, compiled by swc;
// workspace packages resolve to their sources so tests never run stale builds — except the
// end-to-end tier, which starts the built services as separate processes, like production.
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const moduleNameMapper = {
  '^@vanthu/platform$': '<rootDir>/packages/platform/src/index.ts',
  '^@vanthu/contracts$': '<rootDir>/packages/contracts/src/index.ts',
  '^@vanthu/pdf$': '<rootDir>/packages/pdf/src/index.ts',
  '^@vanthu/xmldsig$': '<rootDir>/packages/xmldsig/src/index.ts',
  '^@vanthu/client$': '<rootDir>/packages/client/src/index.ts',
  '^@vanthu/(documents|signing|routing|reporting|exchange|notifications)$': '<rootDir>/services/$1/src/index.ts',
  '^@vanthu/gateway$': '<rootDir>/gateway/src/index.ts',
};
const roots = ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/gateway', '<rootDir>/infra', '<rootDir>/test'];
const project = (displayName, suffix, extra = {}) => ({
  displayName,
  rootDir: __dirname,
  roots,
  testMatch: [`**/test/**/*.${suffix}.test.ts`],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  // ESM-only dependencies are compiled to CommonJS for jest (Node 20's require(esm) is not used by jest's loader).
  transformIgnorePatterns: ['/node_modules/(?!(cookie|@scalar|github-slugger)/)'],
  ...extra,
});

module.exports = {
  projects: [
    project('unit', 'unit'),
    project('integration', 'int'),
    project('http', 'http'),
    project('contract', 'contract'),
    project('e2e', 'e2e'),
  ],
  // Sets process-wide settings native libraries read (SOFTHSM2_CONF) before workers start.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  maxWorkers: 2,
  // Generous because the e2e tier starts whole stacks and a private Kafka broker; a hang still fails.
  testTimeout: 240_000,
};
