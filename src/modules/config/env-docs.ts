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

/** The content of `docs/ENVIRONMENT_VARIABLES.md`. */
export function renderEnvMarkdown(): string {
  const rows = ENV_VARS.map(
    (v) =>
      `| \`${v.name}\` | ${v.default === undefined ? '*(required)*' : `\`${v.default}\``} | ${v.secret ? 'yes' : 'no'} | ${v.description} |`,
  );
  return [
    '# Environment variables',
    '',
    `<!-- ${GENERATED} -->`,
    '',
    'Every variable is validated at start-up by one schema. An unset or empty variable takes its default;',
    'any invalid value stops the process with one message that lists every problem (secret values are never printed).',
    '',
    '| variable | default | secret | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
