// Nest 12 packages (and openid-client with its jose and oauth4webapi) are ESM-only; Jest runs CommonJS, so SWC transforms both our
// TypeScript and those ESM packages to CommonJS.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      // Resolve the path aliases at compile time, so code loaded outside Jest's module
      // registry (globalSetup/globalTeardown) resolves them too.
      baseUrl: __dirname,
      paths: { '@app/*': ['src/*'], '@test/*': ['test/*'] },
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const common = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@fastify|fastify|cookie|@apidevtools/json-schema-ref-parser|openid-client|oauth4webapi|jose)/)',
  ],
  moduleNameMapper: { '^@app/(.*)$': '<rootDir>/src/$1', '^@test/(.*)$': '<rootDir>/test/$1' },
  testEnvironment: 'node',
};
// Integration and browser tests need PostgreSQL: found or started once per run.
const withPostgres = {
  ...common,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

module.exports = {
  reporters: ['default', '<rootDir>/test/support/no-skips-reporter.js'],
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    // A real Chromium (Debian's, or the one @sparticuz/chromium carries): see test/support/browser.ts.
    { ...withPostgres, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
    {
      ...withPostgres,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
    },
  ],
};
