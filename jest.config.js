/** Two projects: unit specs beside the code (no services) and e2e specs under test/ (real PostgreSQL and Redis). */
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['js', 'json', 'ts'],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  // Decorator metadata (class-validator, Nest) needs the polyfill before any module loads.
  setupFiles: ['reflect-metadata'],
  // content-disposition 3 (under @fastify/static, which Swagger UI needs) ships ESM only; Jest on
  // Node 20 cannot require it untransformed.
  // jose 6 (under @a2a-js/sdk) is ESM only too.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|jose)/)'],
};

module.exports = {
  // Global-only option: e2e tests start real apps and services.
  testTimeout: 60_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
