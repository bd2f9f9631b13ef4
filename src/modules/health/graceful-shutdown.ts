import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { AppConfig } from '@app/modules/config/app-config';
import { LifecycleService } from '@app/modules/health/lifecycle.service';

/**
 * On SIGTERM, SIGINT or SIGHUP (a closed terminal): readiness turns 503 at once while requests are still served for
 * `SHUTDOWN_DELAY_MS` (so load balancers stop routing here), then the server stops accepting,
 * in-flight requests finish, the pool and the change feed close, and the process exits 0. If
 * that takes longer than `SHUTDOWN_GRACE_MS`, it exits 1 anyway.
 */
export function installGracefulShutdown(
  app: INestApplication,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const config = app.get(AppConfig);
  const lifecycle = app.get(LifecycleService);
  const logger = new Logger('Shutdown');
  let started = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (started) {
      // A second signal (a second Ctrl-C): stop now. Exit handlers still run (an embedded
      // PostgreSQL server is asked to stop).
      logger.warn(`${signal} again: exiting without waiting for the shutdown to finish`);
      exit(1);
      return;
    }
    started = true;
    lifecycle.beginShutdown();
    logger.log(`${signal}: not ready; draining for ${config.shutdown.delayMs} ms, then closing`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdown.graceMs} ms; exiting`);
      exit(1);
    }, config.shutdown.graceMs);
    deadline.unref();
    await new Promise((resolve) => setTimeout(resolve, config.shutdown.delayMs));
    try {
      await app.close();
      logger.log('closed cleanly');
      exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, (s) => void shutdown(s));
}
