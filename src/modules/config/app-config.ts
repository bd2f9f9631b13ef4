import { ENV_VARS, type LOG_LEVELS, type NODE_ENVS, type STORAGE_MODES } from '@app/modules/config/env.schema';

export type NodeEnv = (typeof NODE_ENVS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated configuration, typed. Injected by class; nothing else reads `process.env`. */
export class AppConfig {
  constructor(
    readonly nodeEnv: NodeEnv,
    readonly http: {
      readonly host: string;
      readonly port: number;
      readonly bodyLimitBytes: number;
      readonly importBodyLimitBytes: number;
    },
    readonly storage: { readonly mode: 'memory'; readonly requested: (typeof STORAGE_MODES)[number] },
    readonly log: { readonly level: LogLevel },
  ) {}
}

export interface ConfigProblem {
  name: string;
  /** The offending value; absent for secrets. */
  value?: string;
  expected: string;
}

/** Thrown at boot when the environment is invalid; its message lists every problem. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `Invalid configuration: ${problems.length} problem${problems.length === 1 ? '' : 's'}.`,
        ...problems.map(
          (p) => `  - ${p.name}${p.value === undefined ? '' : `=${JSON.stringify(p.value)}`}: expected ${p.expected}`,
        ),
      ].join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates `env` against the schema and builds the typed configuration. Unset and empty
 * variables take their default. Every problem is collected before throwing.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const v of ENV_VARS) {
    const raw = env[v.name] === undefined || env[v.name] === '' ? v.default : env[v.name];
    if (raw === undefined) {
      problems.push({ name: v.name, expected: `a value (${v.description})` });
      continue;
    }
    const result = v.schema.safeParse(raw);
    if (result.success) {
      values[v.name] = result.data;
    } else {
      problems.push({
        name: v.name,
        value: v.secret ? undefined : raw,
        expected: [...new Set(result.error.issues.map((i) => i.message))].join('; '),
      });
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);

  return new AppConfig(
    values.NODE_ENV as NodeEnv,
    {
      host: values.HOST as string,
      port: values.PORT as number,
      bodyLimitBytes: values.BODY_LIMIT_BYTES as number,
      importBodyLimitBytes: values.IMPORT_BODY_LIMIT_BYTES as number,
    },
    { mode: 'memory', requested: values.STORAGE as (typeof STORAGE_MODES)[number] },
    { level: values.LOG_LEVEL as LogLevel },
  );
}
