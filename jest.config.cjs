// One jest run for the whole monorepo: tests sit beside the code they test.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/jest.environment.cjs',
  roots: ['<rootDir>/packages'],
  testMatch: ['**/src/**/*.test.ts'],
  transform: {
    // Nest's dependency injection reads legacy decorators' parameter-type metadata;
    // only the Nest package (and the example app it boots) is compiled that way.
    '/(packages|examples)/nest/.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // Sources import siblings as './x.js' (NodeNext style); jest resolves them to the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
}
