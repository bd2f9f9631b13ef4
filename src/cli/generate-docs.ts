/**
 * Writes the generated documents: `.env.example`, `docs/ENVIRONMENT_VARIABLES.md` and
 * `docs/openapi.json`. Tests fail when the committed files differ from what this writes.
 * Run with `npm run docs:generate`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvExample, renderEnvMarkdown } from '@app/modules/config/env-docs';
import { renderOpenApiJson } from '@app/modules/docs/openapi';

const root = join(__dirname, '..', '..');
const files: Record<string, string> = {
  '.env.example': renderEnvExample(),
  'docs/ENVIRONMENT_VARIABLES.md': renderEnvMarkdown(),
  'docs/openapi.json': renderOpenApiJson(),
};
for (const [path, content] of Object.entries(files)) {
  writeFileSync(join(root, path), content);
  process.stdout.write(`wrote ${path}\n`);
}
