/**
 * The operator CLI: `npm run -s ops -- <command>` in a checkout, `node dist/cli <command>` in the
 * image. `node dist/cli --help` lists the commands; docs/RUNBOOK.md says when to use which.
 */
import 'reflect-metadata';
import { runCli } from '@app/cli/ops/cli';

// A reader that closes the pipe early (`| head`, a failed `| jq`) is not an error of the command:
// stop writing, keep the command's exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

void runCli(process.argv.slice(2), process.env).then(({ code, stdout, stderr }) => {
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
});
