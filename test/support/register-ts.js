// `node -r ./test/support/register-ts.js src/main.ts`: runs the service from its TypeScript
// sources (for tests that need a real process and signals), compiled on the fly by SWC with the
// same settings as Jest. Node >= 20.19 loads the ESM-only Nest packages with require() itself.
const path = require('node:path');
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');

const root = path.join(__dirname, '..', '..');
addHook(
  (code, filename) =>
    transformSync(code, {
      filename,
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
        baseUrl: root,
        paths: { '@app/*': ['src/*'], '@test/*': ['test/*'] },
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    }).code,
  { exts: ['.ts'], ignoreNodeModules: true },
);
