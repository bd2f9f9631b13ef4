import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/modules/config/app-config';
import { authenticate, createKey, parseApiKeys, type ApiKey, type Principal } from '@app/modules/auth/api-keys';

/** Verified keys remembered, at most this many (a full cache starts over). */
const CACHE_SIZE = 1024;

/**
 * The configured keys. In development without any, one admin key is made for this process and
 * printed at start (and again beside the "listening on" line), so `npm start` stays usable;
 * production refuses to start without keys (config).
 */
@Injectable()
export class ApiKeyRegistry {
  readonly keys: readonly ApiKey[];
  /** The key made for this process when none is configured (development only). */
  readonly generatedKey: string | undefined;
  /**
   * Keys already verified, to their principal: a request with a known key costs one map lookup
   * instead of a SHA-256 and a comparison with every configured hash. Only valid keys are kept
   * (an unknown key is hashed every time, and rate limiting bounds how often); the keys are the
   * ones clients send, held in this process's memory as every request's headers are.
   */
  private readonly verified = new Map<string, Principal>();

  constructor(config: AppConfig) {
    if (config.auth.keys.length > 0 || config.nodeEnv === 'production') {
      this.keys = config.auth.keys;
      return;
    }
    const { key, line } = createKey('local-admin', 'admin');
    this.keys = parseApiKeys(line).keys;
    this.generatedKey = key;
    new Logger('Auth').warn(
      `no API keys configured: generated an admin key for this process only: ${key} (send it as Authorization: Bearer <key>; configure API_KEYS for real use)`,
    );
  }

  /** The principal of a presented key, or undefined for an unknown one. */
  authenticate(presented: string): Principal | undefined {
    const known = this.verified.get(presented);
    if (known) return known;
    const principal = authenticate(this.keys, presented);
    if (principal) {
      if (this.verified.size >= CACHE_SIZE) this.verified.clear();
      this.verified.set(presented, principal);
    }
    return principal;
  }
}
