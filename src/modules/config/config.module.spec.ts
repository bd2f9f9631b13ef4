import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { AppConfig, ConfigValidationError } from '@app/modules/config/app-config';
import { APP_CONFIG_KEY, ConfigModule } from '@app/modules/config/config.module';

describe('ConfigModule (@nestjs/config)', () => {
  it('provides the AppConfig validated from an explicit environment, without touching process.env', async () => {
    const before = { ...process.env };
    const loaded = await ConfigModule.forRoot({ env: { PORT: '9090', STORAGE: 'memory', SOME_OTHER: 'x' } });
    expect(process.env).toEqual(before);
    const moduleRef = await Test.createTestingModule({ imports: [loaded.module] }).compile();
    const config = moduleRef.get(AppConfig);
    expect(config).toBe(loaded.config);
    expect(config.http.port).toBe(9090);
    expect(moduleRef.get(ConfigService).get(APP_CONFIG_KEY)).toBe(config);
  });

  it('reads .env from the working directory; real environment variables win', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rts-dotenv-'));
    writeFileSync(join(dir, '.env'), 'PORT=9191\nLOG_LEVEL=debug\nSTORAGE=memory\n');
    const cwd = process.cwd();
    const saved = { LOG_LEVEL: process.env.LOG_LEVEL, PORT: process.env.PORT, STORAGE: process.env.STORAGE };
    delete process.env.PORT;
    delete process.env.STORAGE;
    process.env.LOG_LEVEL = 'warn';
    process.chdir(dir);
    try {
      const { config } = await ConfigModule.forRoot();
      expect(config.http.port).toBe(9191);
      expect(config.log.level).toBe('warn');
      expect(config.storage.mode).toBe('memory');
    } finally {
      process.chdir(cwd);
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('fails with every problem in one error', async () => {
    const failure = ConfigModule.forRoot({ env: { PORT: 'x', LOG_LEVEL: 'loud' } });
    await expect(failure).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(failure).rejects.toThrow(/2 problems[\s\S]*PORT[\s\S]*LOG_LEVEL/);
  });
});
