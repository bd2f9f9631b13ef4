import { ENV_VARS } from '@app/modules/config/env.schema';

const GENERATED = 'Generated from src/modules/config/env.schema.ts by `npm run docs:generate`; do not edit by hand.';

/** The content of `.env.example`: every variable with its default and meaning. */
export function renderEnvExample(): string {
  const blocks = ENV_VARS.map((v) => {
    const value = v.secret ? '' : (v.default ?? '');
    const required = v.default === undefined ? ' (required)' : '';
    return `# ${v.description}${required}\n${v.name}=${value}`;
  });
  return `# ${GENERATED}\n\n${blocks.join('\n\n')}\n`;
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The content of `docs/ENVIRONMENT_VARIABLES.md`. */
export function renderEnvMarkdown(): string {
  const rows = ENV_VARS.map(
    (v) =>
      `| \`${v.name}\` | ${cell(v.description)} | ${v.default ? `\`${v.default}\`` : '*(unset)*'} | ${v.requiredWhere ? cell(v.requiredWhere) : 'no'} | \`${cell(v.example)}\` | ${v.secret ? 'yes' : 'no'} |`,
  );
  return [
    '# Environment variables',
    '',
    `<!-- ${GENERATED} -->`,
    '',
    'Every variable is validated at start-up by one schema. An unset or empty variable takes its default;',
    'any invalid value stops the process with one message that lists every problem (secret values are never printed).',
    'Check an environment before a deploy with `npm run -s ops -- config:validate` (`scripts/validate_config.sh`),',
    'which also warns about settings that are valid but risky (memory storage in production, no Redis with',
    'several replicas, misspelt variable names). Production values: [PRODUCTION_ENV_SETUP.md](PRODUCTION_ENV_SETUP.md).',
    '',
    '| variable | meaning | default | required | example | secret |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## Operator CLI',
    '',
    'The operator CLI (`npm run ops`, `node dist/cli`) reads the variables above, and one of its own:',
    '',
    '| variable | meaning | default | required | example | secret |',
    '| --- | --- | --- | --- | --- | --- |',
    '| `OPS_API_KEY` | The API key `postdeploy` authenticates with when `--api-key` is not given (keeps the key off the command line). | *(unset)* | no | `rts_<key>` | yes |',
    '',
  ].join('\n');
}
