/**
 * The operator CLI: `npm run ops -- <command>` in a checkout, `node dist/cli <command>` in the
 * image. `node dist/cli --help` lists the commands; docs/RUNBOOK.md says when to use which.
 */
import 'reflect-metadata';
import { runCli } from '@app/cli/ops/cli';

void runCli(process.argv.slice(2), process.env).then(({ code, stdout, stderr }) => {
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
});
