import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_DIR } from '@app/modules/console/console.module';
import { createTestApp, send, TEST_KEYS } from '@test/support/app';
import { launchChromium, watchForTrouble } from '@test/support/browser';

const ROOT = join(__dirname, '..', '..');
const AXE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
/** Screenshots for docs/console/ are taken when asked: RTS_SCREENSHOTS=1 npm run test:browser. */
const SHOTS = process.env.RTS_SCREENSHOTS === '1';

/** What went wrong on a page, but the 401 the console asks for before anyone signed in. */
const unexpected = (lines: string[]): string[] => lines.filter((l) => !/401.*\/v1\/session\b/.test(l));

/** axe-core's serious and critical violations on the page, as "rule: target" lines. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  // Evaluated in the page (strings: this project's types know no DOM).
  const violations = await page.evaluate<{ id: string; impact: string; targets: string[] }[]>(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })))",
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.targets.join(', ')}`);
}

/** Whether the page scrolls sideways. */
const scrollsSideways = (page: Page): Promise<boolean> =>
  page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');

/** The text of the focused element. */
const focused = (page: Page): Promise<string> => page.evaluate<string>("document.activeElement?.textContent ?? ''");

// Issue #19 (first pages): the console, built by `npm run build -w web` and served by the service
// at /console/, in a real Chromium: sign in with a key, the thresholds, classify, deep links.
describe('the console in Chromium', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    // localhost: a browser keeps the Secure session cookie over http only there.
    base = `http://localhost:${(app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signedIn(page: Page, key: string = TEST_KEYS.editor): Promise<void> {
    await page.goto(`${base}/console/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Thresholds' }).waitFor();
  }

  it('loads at most 250 KB of JavaScript (gzipped) at first', () => {
    const index = readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8');
    const scripts = [
      ...index.matchAll(/<script[^>]+src="\/console\/([^"]+)"/g),
      ...index.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/console\/([^"]+)"/g),
    ].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(CONSOLE_DIR, file))).length, 0);
    expect(gzipped).toBeLessThanOrEqual(250 * 1024);
  });

  it('a person signs in with their key (never kept by the browser) and sees the thresholds with their bands', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const trouble = watchForTrouble(page);
    await page.goto(`${base}/console/`);
    await page.getByLabel('API key').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(ROOT, 'docs/console/sign-in.png') });
    // A wrong key: the API's detail and request id.
    await page.getByLabel('API key').fill('rts_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The API key is not valid.').waitFor();
    await expect(
      page
        .getByRole('alert')
        .getByText(/Request id:/)
        .textContent(),
    ).resolves.toMatch(/Request id: \S+/);
    await page.getByLabel('API key').fill(TEST_KEYS.editor);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Thresholds' }).waitFor();
    await page.getByText('test-editor (editor)').waitFor();
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    );
    expect(stored).not.toContain(TEST_KEYS.editor);
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.secure, c.sameSite])).toEqual([
      ['__Host-rts-session', true, true, 'Lax'],
    ]);
    // The seeded thresholds, each with its bands as a picture with words and the numbers as text.
    const row = page.getByRole('row', { name: /Financial default/ });
    await row.waitFor();
    expect(await row.getByRole('img').locator('title').textContent()).toBe(
      'Bands: minimal below 25, low from 25, medium from 50, high from 75, critical from 90',
    );
    expect(await row.locator('.cuts').textContent()).toBe('25507590');
    await page.getByLabel('Search by name').fill('health');
    await page.getByText('1 threshold', { exact: true }).waitFor();
    expect(await page.getByRole('row').count()).toBe(2);
    await page.getByLabel('Search by name').fill('');
    expect(await accessibilityProblems(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(ROOT, 'docs/console/thresholds.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(page)).toBe(false);
    expect(unexpected(trouble.list())).toEqual([]);
    await page.close();
  });

  it('classify names the level, the threshold that decided and why; the deep link survives a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const trouble = watchForTrouble(page);
    await signedIn(page, TEST_KEYS.reader);
    await page.getByRole('link', { name: 'Classify' }).click();
    await page.getByRole('heading', { name: 'Classify a score' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/classify');
    await page.getByLabel('Score (0–100)').fill('55');
    await page.getByLabel('Category').selectOption('financial');
    await page.getByLabel('Industry code').fill('5221');
    await page.getByRole('button', { name: 'Classify' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.getByText(/^Score 55 is/).waitFor();
    expect(await result.locator('.badge').textContent()).toBe('medium');
    await result.getByText('financial · industry 5221 · any business type').waitFor();
    await result.getByText('Decided by Financial - finance and insurance (NAICS 52) (version 1).').waitFor();
    await result.getByText(/Why: most specific active match/).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(ROOT, 'docs/console/classify.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(page)).toBe(false);
    await page.reload();
    await page.getByRole('heading', { name: 'Classify a score' }).waitFor();
    expect(unexpected(trouble.list())).toEqual([]);
    await page.close();
  });

  it("a threshold's page: bands, where it applies, the history as differences; restoring a version proposes it", async () => {
    const created = await send(app, 'POST', '/v1/admin/risk/thresholds', {
      name: 'Credit unions',
      category: 'financial',
      industry_code: '5221',
      business_type: 'credit union',
      priority: 5,
      risk_levels: { low: 25, medium: 50, high: 75, critical: 90 },
    });
    const id = created.json().id as string;
    const patched = await send(app, 'PATCH', `/v1/admin/risk/thresholds/${id}`, {
      risk_levels: { low: 25, medium: 50, high: 70, critical: 90 },
    });
    expect(patched.statusCode).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const trouble = watchForTrouble(page);
    await signedIn(page, TEST_KEYS.editor);
    await page.getByRole('link', { name: 'Credit unions' }).click();
    await page.getByRole('heading', { name: 'Credit unions' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/thresholds/${id}`);
    await page
      .getByText(
        'Applies to financial cases whose industry code starts with 5221, business type "credit union"; priority 5.',
      )
      .waitFor();
    const history = page.getByRole('list', { name: 'History, newest first' });
    await history.getByText('high 75 → 70').waitFor();
    expect(await history.locator(':scope > li').count()).toBe(2);
    expect(await accessibilityProblems(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(ROOT, 'docs/console/threshold.png') });
    await history.getByRole('button', { name: 'Restore this version…' }).click();
    await page.getByLabel('Why bring version 1 back?').fill('The Q3 review found the old high band right.');
    await page.getByRole('button', { name: 'Propose restoring version 1' }).click();
    await page.getByText(/Draft change request \S+ proposes version 1/).waitFor();
    const drafts = (await send(app, 'GET', '/v1/admin/risk/change-requests?state=draft')).json();
    expect(drafts.change_requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ created_by: 'test-editor', reason: 'The Q3 review found the old high band right.' }),
      ]),
    );
    // Nothing changed yet: the threshold is still at version 2.
    expect((await send(app, 'GET', `/v1/admin/risk/thresholds/${id}`)).json().version).toBe(2);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(page)).toBe(false);
    // The deep link survives a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'Credit unions' }).waitFor();
    expect(unexpected(trouble.list())).toEqual([]);
    await page.close();
  });

  it('works by keyboard alone: skip link, navigation, sign-out', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signedIn(page);
    await page.reload();
    await page.getByRole('heading', { name: 'Thresholds' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Thresholds');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Classify a score' }).waitFor();
    // Moving to a page puts focus on its heading (a screen reader announces it) and names it in the title.
    expect(await focused(page)).toBe('Classify a score');
    expect(await page.title()).toBe('Classify – Risk thresholds');
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('API key').waitFor();
    expect(await page.context().cookies()).toEqual([]);
    await page.close();
  });

  it('a session ended elsewhere brings the sign-in page, saying so; a score that is not one is refused in place', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signedIn(page, TEST_KEYS.reader);
    await page.getByRole('link', { name: 'Classify' }).click();
    await page.getByLabel('Score (0–100)').fill('1,000');
    await page.getByRole('button', { name: 'Classify' }).click();
    await page.getByText('A score is a number from 0 to 100, like 55 or 55.5.').waitFor();
    expect(await page.getByLabel('Score (0–100)').getAttribute('aria-invalid')).toBe('true');
    // Signed out in another tab (the same browser, the same cookie).
    const other = await context.newPage();
    await other.goto(`${base}/console/`);
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.getByLabel('API key').waitFor();
    await page.getByLabel('Score (0–100)').fill('55');
    await page.getByRole('button', { name: 'Classify' }).click();
    await page.getByText(/Your session has ended/).waitFor();
    await page.getByLabel('API key').waitFor();
    await context.close();
  });

  it('serves hashed assets for a year, index.html never cached, a missing file 404', async () => {
    const index = await fetch(`${base}/console/thresholds`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await index.text())![1];
    const js = await fetch(`${base}${asset}`);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${base}/console/assets/missing.js`)).status).toBe(404);
    const bare = await fetch(`${base}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/console/']);
  });
});
