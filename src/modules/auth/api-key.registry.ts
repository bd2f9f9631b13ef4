import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/modules/config/app-config';
import { createKey, parseApiKeys, type ApiKey } from '@app/modules/auth/api-keys';

/**
 * The configured keys. In development without any, one admin key is made for this process and
 * printed once, so `npm start` stays usable; production refuses to start without keys (config).
 */
@Injectable()
export class ApiKeyRegistry {
  readonly keys: readonly ApiKey[];

  constructor(config: AppConfig) {
    if (config.auth.keys.length > 0 || config.nodeEnv === 'production') {
      this.keys = config.auth.keys;
      return;
    }
    const { key, line } = createKey('local-admin', 'admin');
    this.keys = parseApiKeys(line).keys;
    new Logger('Auth').warn(
      `no API keys configured: generated an admin key for this process only: ${key} (send it as Authorization: Bearer <key>; configure API_KEYS for real use)`,
    );
  }
}
