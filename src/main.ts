import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from '@app/app.factory';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';
import { ConfigModule } from '@app/modules/config/config.module';
import { installGracefulShutdown } from '@app/modules/health/graceful-shutdown';
import { reportStartupFailure } from '@app/startup-failure';

async function bootstrap(): Promise<void> {
  // @nestjs/config reads .env and the environment, and validates them (every problem at once).
  const loaded = await ConfigModule.forRoot();
  const { config } = loaded;
  const app = await createApp(loaded);
  installGracefulShutdown(app);
  await app.listen(config.http.port, config.http.host);
  const generated = app.get(ApiKeyRegistry).generatedKey;
  new Logger('Bootstrap').log(
    `listening on http://${config.http.host}:${config.http.port} (docs at /docs; the console at http://localhost:${config.http.port}/console/)` +
      (generated ? `; admin key for this process: ${generated}` : ''),
  );
}

bootstrap().catch((error: unknown) => {
  process.exit(reportStartupFailure(error));
});
