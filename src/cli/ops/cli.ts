import { existsSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { readFileSync } from 'node:fs';
import {
  configValidate,
  dbCheck,
  dbVerifySchema,
  migrate,
  migrateRevert,
  migrateStatus,
  predeploy,
} from '@app/cli/ops/commands';
import { postdeploy } from '@app/cli/ops/postdeploy';
import {
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  messageOf,
  renderHuman,
  renderJson,
  UsageError,
  type Report,
} from '@app/cli/ops/report';

type Env = Record<string, string | undefined>;

export const USAGE = `usage: ops <command> [--json] [--env-file <path>]

commands:
  config:validate          validate the environment against the service's schema (problems and warnings)
  db:check                 connectivity, server version, latency, connections, pool settings, COUNT(*) time
  db:verify-schema         compare the live schema with what the migrations define; name each difference and its fix
  migrate                  apply pending migrations
  migrate:status           list applied and pending migrations (exit 1 when some are pending)
  migrate:revert           undo the last applied migration (read docs/ROLLBACK.md first)
  predeploy                config + database + schema + migrations (+ the OpenID provider): GO or NO-GO
  postdeploy --url <base>  check a running instance [--api-key <key> | OPS_API_KEY] [--timeout-ms <ms>]

options:
  --json             print the report as JSON
  --env-file <path>  read variables from this file (they override the environment); default: ./.env
                     when it exists (the environment wins, as when the service starts)

exit codes: 0 ok, 1 a check failed, 2 usage error`;

interface Parsed {
  command: string;
  json: boolean;
  envFile?: string;
  url?: string;
  apiKey?: string;
  timeoutMs?: number;
}

const VALUE_OPTIONS = new Set(['--env-file', '--url', '--api-key', '--timeout-ms']);

export function parseArgs(argv: readonly string[]): Parsed {
  const parsed: Partial<Parsed> & { json: boolean } = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') parsed.json = true;
    else if (VALUE_OPTIONS.has(arg) || [...VALUE_OPTIONS].some((o) => arg.startsWith(`${o}=`))) {
      const [option, inline] = arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, argv[++i]];
      if (inline === undefined || inline === '') throw new UsageError(`${option} needs a value`);
      if (option === '--env-file') parsed.envFile = inline;
      if (option === '--url') parsed.url = inline;
      if (option === '--api-key') parsed.apiKey = inline;
      if (option === '--timeout-ms') {
        const ms = Number(inline);
        if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) throw new UsageError('--timeout-ms must be 1..600000');
        parsed.timeoutMs = ms;
      }
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (parsed.command === undefined) parsed.command = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  if (!parsed.command) throw new UsageError('no command given');
  return parsed as Parsed;
}

/** The environment the service would see: the process environment, and `.env` or `--env-file`. */
function environment(base: Env, envFile: string | undefined, cwd: string): Env {
  if (envFile !== undefined) {
    if (!existsSync(envFile)) throw new UsageError(`--env-file ${envFile} does not exist`);
    return { ...base, ...parseEnv(readFileSync(envFile, 'utf8')) };
  }
  const dotenv = `${cwd}/.env`;
  return existsSync(dotenv) ? { ...parseEnv(readFileSync(dotenv, 'utf8')), ...base } : { ...base };
}

async function dispatch(args: Parsed, env: Env): Promise<Report> {
  switch (args.command) {
    case 'config:validate':
      return configValidate(env);
    case 'db:check':
      return dbCheck(env);
    case 'db:verify-schema':
      return dbVerifySchema(env);
    case 'migrate':
      return migrate(env);
    case 'migrate:status':
      return migrateStatus(env);
    case 'migrate:revert':
      return migrateRevert(env);
    case 'predeploy':
      return predeploy(env);
    case 'postdeploy': {
      if (!args.url) throw new UsageError('postdeploy needs --url <base>, e.g. --url https://risk.example.com');
      if (!/^https?:\/\/[^/]/.test(args.url)) throw new UsageError(`--url must be an http(s) URL, got ${args.url}`);
      const apiKey = args.apiKey ?? env.OPS_API_KEY;
      return postdeploy({
        baseUrl: args.url,
        ...(apiKey ? { apiKey } : {}),
        ...(args.timeoutMs ? { timeoutMs: args.timeoutMs } : {}),
      });
    }
    default:
      throw new UsageError(`unknown command ${args.command}`);
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command; never throws, never exits: the caller writes the output and exits. */
export async function runCli(argv: readonly string[], baseEnv: Env, cwd = process.cwd()): Promise<CliResult> {
  if (argv.includes('--help') || argv.includes('-h')) return { code: EXIT_OK, stdout: `${USAGE}\n`, stderr: '' };
  let args: Parsed;
  let result: Report;
  try {
    args = parseArgs(argv);
    result = await dispatch(args, environment(baseEnv, args.envFile, cwd));
  } catch (error) {
    if (error instanceof UsageError) return { code: EXIT_USAGE, stdout: '', stderr: `${error.message}\n\n${USAGE}\n` };
    return { code: EXIT_FAILED, stdout: '', stderr: `ops: ${messageOf(error)}\n` };
  }
  return {
    code: result.ok ? EXIT_OK : EXIT_FAILED,
    stdout: args.json ? renderJson(result) : renderHuman(result),
    stderr: '',
  };
}
