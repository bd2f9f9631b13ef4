import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The OpenID provider process of test/support/oidc-provider.mjs. */
export interface TestProvider {
  issuer: string;
  /** Makes the next ID token the token endpoint answers a hostile one (see the script). */
  tamperNextIdToken(tamper: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestProvider(settings: {
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  accounts: Record<string, Record<string, unknown>>;
}): Promise<TestProvider> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: {
      PATH: process.env.PATH,
      OIDC_CLIENT_ID: settings.clientId,
      OIDC_CLIENT_SECRET: settings.clientSecret,
      OIDC_REDIRECT_URL: settings.redirectUrl,
      OIDC_ACCOUNTS: JSON.stringify(settings.accounts),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(() => {
      throw new Error(`the OpenID provider exited: ${stderr}`);
    }),
  ]);
  const { issuer } = JSON.parse(first) as { issuer: string };
  return {
    issuer,
    async tamperNextIdToken(tamper) {
      const res = await fetch(`${issuer}/__test/next-id-token`, { method: 'POST', body: JSON.stringify({ tamper }) });
      if (!res.ok) throw new Error(`tamper ${tamper}: ${res.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Visit {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A browser, as far as a sign-in needs one: a cookie jar per host, redirects followed by hand,
 * and the provider's development forms filled in (any login; consent). Requests to the service's
 * host are injected into the application; to the provider they go over HTTP.
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  constructor(
    private readonly app: NestFastifyApplication,
    /** The service's host as the browser sees it, e.g. localhost:8080. */
    readonly serviceHost: string,
  ) {}

  /** The cookies this browser holds for a host. */
  cookies(host: string): Map<string, string> {
    let cookies = this.jar.get(host);
    if (!cookies) this.jar.set(host, (cookies = new Map()));
    return cookies;
  }

  /** One request, its Set-Cookie kept; no redirect followed. */
  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<Visit> {
    const target = new URL(url);
    const cookie = [...this.cookies(target.host)].map(([n, v]) => `${n}=${v}`).join('; ');
    let visit: Visit;
    if (target.host === this.serviceHost) {
      const res = await this.app.inject({
        method,
        url: `${target.pathname}${target.search}`,
        headers: { host: target.host, ...(cookie ? { cookie } : {}) },
      });
      visit = { url, status: res.statusCode, headers: res.headers as Visit['headers'], body: res.body };
    } else {
      const res = await fetch(url, {
        method,
        redirect: 'manual',
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
      });
      const headers: Visit['headers'] = Object.fromEntries(res.headers.entries());
      headers['set-cookie'] = res.headers.getSetCookie();
      visit = { url, status: res.status, headers, body: await res.text() };
    }
    for (const line of [visit.headers['set-cookie'] ?? []].flat()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone) this.cookies(target.host).delete(name);
      else this.cookies(target.host).set(name, value);
    }
    return visit;
  }

  /**
   * Follows redirects from `url`, signing in at the provider's forms as `login`, until a URL
   * `stop` accepts (not requested) or a page that is not a redirect or a form.
   */
  async navigate(
    url: string,
    login: string,
    stop: (url: URL) => boolean,
  ): Promise<{ stoppedAt?: string; last: Visit }> {
    let next: { method: 'GET' | 'POST'; url: string; form?: Record<string, string> } = { method: 'GET', url };
    for (let hop = 0; hop < 20; hop++) {
      if (next.method === 'GET' && stop(new URL(next.url))) return { stoppedAt: next.url, last: undefined! };
      const visit = await this.request(next.method, next.url, next.form);
      const location = visit.headers.location;
      if (visit.status >= 300 && visit.status < 400 && typeof location === 'string') {
        next = { method: 'GET', url: new URL(location, visit.url).href };
        continue;
      }
      const action = /<form[^>]*action="([^"]+)"/.exec(visit.body)?.[1];
      if (visit.status !== 200 || action === undefined) return { last: visit };
      const form: Record<string, string> = /name="login"/.test(visit.body)
        ? { prompt: 'login', login, password: 'any' }
        : { prompt: 'consent' };
      next = { method: 'POST', url: new URL(action.replace(/&amp;/g, '&'), visit.url).href, form };
    }
    throw new Error('too many redirects');
  }
}
