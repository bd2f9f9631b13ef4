import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the browser comes from: CHROMIUM_PATH, Debian's chromium, or the npm package's own. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Flags for a headless Chromium in a container, as root, with nothing reaching the network. */
const QUIET_FLAGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--no-default-browser-check',
];

/**
 * The system Chromium where there is one; otherwise the one `@sparticuz/chromium` carries (it
 * unpacks itself to the temporary directory on first use), so `npm test` needs nothing but
 * Node.js. In CI nothing falls back. That package is ESM-only, so it is asked in a child process
 * rather than through Jest.
 */
function chromiumPath(): string {
  const system = [process.env.CHROMIUM_PATH, ...SYSTEM_CHROMIUM].find((path) => path && existsSync(path));
  if (system) return system;
  if (process.env.CI) throw new Error('chromium is missing: .ci/run installs the Debian package chromium');
  return execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { default: c } = await import('@sparticuz/chromium'); process.stdout.write(await c.executablePath());",
    ],
    { encoding: 'utf8', cwd: __dirname },
  );
}

/**
 * A headless Chromium with our flags, never the npm package's own: those are for a serverless
 * function (a single process, web security off), and the tests need a browser as a person's.
 */
export function launchChromium(): Promise<Browser> {
  const root = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: chromiumPath(), args: [...root, ...QUIET_FLAGS], headless: true });
}

/** What a page reported that a person would see as broken: console errors, page errors, failed loads. */
export interface PageTrouble {
  list(): string[];
}

export function watchForTrouble(page: Page): PageTrouble {
  const trouble: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => trouble.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => trouble.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) trouble.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { list: () => [...trouble] };
}
