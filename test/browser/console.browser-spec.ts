import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_DIR } from '@app/modules/console/console.module';
import { ScoreFlusher } from '@app/modules/observations/capture/score-flusher.service';
import { as, createTestApp, send, TEST_KEYS } from '@test/support/app';
import { launchChromium, watchForTrouble } from '@test/support/browser';
import { createTestDatabase, type TestDatabase } from '@test/support/postgres';

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

// Issue #19: the console, built by `npm run build -w web` and served by the service at /console/,
// on PostgreSQL with change management on (one approval), in a real Chromium.
describe('the console in Chromium', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createTestApp({ env: { DATABASE_URL: db.url, CHANGE_APPROVALS: '1' } });
    await app.listen(0, '127.0.0.1');
    // localhost: a browser keeps the Secure session cookie over http only there.
    base = `http://localhost:${(app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.drop();
  });

  /** Changes thresholds the way a team does (API keys): a change request by the editor, approved by the admin, applied. */
  async function applied(items: unknown[]): Promise<void> {
    const draft = await send(
      app,
      'POST',
      '/v1/admin/risk/change-requests',
      { title: 'Set up the test', reason: 'Thresholds this browser test reads.', items },
      as('editor'),
    );
    expect(draft.statusCode).toBe(201);
    const url = `/v1/admin/risk/change-requests/${draft.json().id}`;
    expect((await send(app, 'POST', `${url}/submit`, undefined, as('editor'))).statusCode).toBe(200);
    expect((await send(app, 'POST', `${url}/reviews`, { decision: 'approve' }, as('admin'))).statusCode).toBe(201);
    expect((await send(app, 'POST', `${url}/apply`, {}, as('editor'))).json().state).toBe('applied');
  }

  /** Cases classified today under the financial default's keys (no industry code), counted in the store. */
  async function observed(scores: number[]): Promise<void> {
    const batch = await send(
      app,
      'POST',
      '/v1/risk/classify/batch',
      { items: scores.map((score) => ({ score, category: 'financial' })) },
      as('reader'),
    );
    expect(batch.statusCode).toBe(200);
    await app.get(ScoreFlusher).flush();
  }

  /** A threshold by name, as the API answers it. */
  async function thresholdNamed(name: string): Promise<{ id: string; version: number; risk_levels: object }> {
    const all = (await send(app, 'GET', '/v1/admin/risk/thresholds?limit=500')).json().thresholds as {
      id: string;
      name: string;
      version: number;
      risk_levels: object;
    }[];
    return all.find((t) => t.name === name)!;
  }

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
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 800 });
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
    // The filters are in the address: a reload (or a shared link) shows the same view.
    expect(new URL(page.url()).search).toBe('?q=health');
    await page.reload();
    await page.getByText('1 threshold', { exact: true }).waitFor();
    expect(await page.getByLabel('Search by name').inputValue()).toBe('health');
    await page.getByLabel('Search by name').fill('');
    // Thresholds that could decide a case with industry code 5221: the prefixes and the defaults.
    await page.getByLabel('Category').selectOption('financial');
    await page.getByLabel('Could apply to this code').check();
    await page.getByLabel("Industry code (a case's)").fill('5221');
    await page.getByRole('row', { name: /Financial - finance and insurance \(NAICS 52\)/ }).waitFor();
    await page.getByRole('row', { name: /Financial default/ }).waitFor();
    expect(new URL(page.url()).searchParams.get('apply')).toBe('1');
    await page.getByLabel('Could apply to this code').uncheck();
    await page.getByLabel('Industry code (exact)').fill('');
    await page.getByLabel('Category').selectOption('');
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
    // A reader's deep link to an editor's or an admin's page: said in words, nothing of it loaded.
    await page.goto(`${base}/console/change-requests`);
    await page.getByRole('heading', { name: 'For the editor role' }).waitFor();
    expect(await page.title()).toBe('For the editor role – Risk thresholds');
    expect(await page.getByRole('link', { name: /^Change requests/ }).count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(unexpected(trouble.list())).toEqual([]);
    await page.close();
  });

  it("a threshold's page: bands, where it applies, the history as differences; restoring a version proposes it", async () => {
    await applied([
      {
        op: 'create',
        threshold: {
          name: 'Credit unions',
          category: 'financial',
          industry_code: '5221',
          business_type: 'credit union',
          priority: 5,
          risk_levels: { low: 25, medium: 50, high: 75, critical: 90 },
        },
      },
    ]);
    const { id } = await thresholdNamed('Credit unions');
    await applied([
      {
        op: 'update',
        threshold_id: id,
        base_version: 1,
        threshold: { risk_levels: { low: 25, medium: 50, high: 70, critical: 90 } },
      },
    ]);
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
    await page
      .getByRole('status')
      .getByText(/proposes\s+version 1/)
      .waitFor();
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

  it("the editor's impact preview shows the numbers of the impact endpoint for the same change", async () => {
    await observed(Array.from({ length: 41 }, (_, i) => 60 + i * 0.5));
    const fd = await thresholdNamed('Financial default');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const trouble = watchForTrouble(page);
    await signedIn(page, TEST_KEYS.editor);
    await page.getByRole('link', { name: 'Financial default' }).click();
    await page.getByRole('link', { name: 'Edit the bands…' }).click();
    await page.getByRole('heading', { name: 'Edit the bands of Financial default' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/thresholds/${fd.id}/edit`);
    const distribution = (
      await send(app, 'GET', '/v1/admin/risk/score-distribution?category=financial', undefined, as('editor'))
    ).json();
    await page.getByText(new RegExp(`^${distribution.total} cases from `)).waitFor();
    // A value typed the server's rules refuse is refused in place, in the server's words.
    await page.getByLabel('High from').fill('95');
    await page.getByText('critical must be greater than high (95)').waitFor();
    expect(await page.getByLabel('Critical from').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('High from').fill('72');
    const impact = (
      await send(
        app,
        'POST',
        '/v1/admin/risk/impact',
        {
          items: [
            {
              op: 'update',
              threshold_id: fd.id,
              base_version: fd.version,
              threshold: { risk_levels: { ...fd.risk_levels, high: 72 } },
            },
          ],
        },
        as('editor'),
      )
    ).json();
    expect(impact.changed).toBeGreaterThan(0);
    const panel = page.getByRole('region', { name: 'Impact' });
    const share = `${(impact.changed_share * 100).toFixed(1)} %`;
    await panel
      .getByText(
        `${impact.changed} of the ${impact.observations} cases classified in the last 30 days in every category (${share}) would change level`,
        { exact: false },
      )
      .waitFor();
    // The matrix: each transition's count, where its row and column meet.
    for (const t of impact.transitions as { from_level: string; to_level: string; count: number }[]) {
      const row = panel.getByRole('row', { name: new RegExp(`^${t.from_level}\\b`) });
      const columns = await panel.getByRole('columnheader').allTextContents();
      const cells = await row.getByRole('cell').allTextContents();
      expect(cells[columns.indexOf(t.to_level) - 1]).toBe(String(t.count));
    }
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(page)).toBe(false);
    expect(unexpected(trouble.list())).toEqual([]);
    await page.close();
  });

  it('two people take a band change from draft to applied: the author cannot approve, the second person does', async () => {
    await observed([55, 64.5, 68, 71, 72.5, 74, 74.9, 77, 81]);
    const fd = await thresholdNamed('Financial default');
    const author = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    author.setDefaultTimeout(15_000);
    const maker = await author.newPage();
    const trouble = watchForTrouble(maker);
    await signedIn(maker, TEST_KEYS.editor);
    await maker.getByRole('link', { name: 'Financial default' }).click();
    await maker.getByRole('link', { name: 'Edit the bands…' }).click();
    await maker.getByRole('heading', { name: 'Edit the bands of Financial default' }).waitFor();
    // By keyboard: the high handle, Shift+← moves it 5 points; it stops at its neighbours.
    const high = maker.getByRole('slider', { name: 'high cut-off' });
    await high.focus();
    await maker.keyboard.press('Shift+ArrowLeft');
    expect(await high.getAttribute('aria-valuenow')).toBe('70');
    expect(await maker.getByLabel('High from').inputValue()).toBe('70');
    await maker.keyboard.press('Home');
    expect(await high.getAttribute('aria-valuenow')).toBe('51');
    await maker.keyboard.press('End');
    expect(await high.getAttribute('aria-valuenow')).toBe('89');
    await maker.getByLabel('High from').fill('70');
    await maker.getByText('Proposed: high 75 → 70.').waitFor();
    await maker.getByRole('region', { name: 'Impact' }).locator('.headline').waitFor();
    expect(await accessibilityProblems(maker)).toEqual([]);
    if (SHOTS) await maker.screenshot({ path: join(ROOT, 'docs/console/editor.png'), fullPage: true });
    await maker.getByRole('button', { name: 'Save as change request…' }).click();
    // Without a reason nothing is sent, and the page says why beside the field.
    await maker.getByRole('button', { name: 'Save as change request', exact: true }).click();
    await maker.getByText('Write the reason first: at least 10 characters.').waitFor();
    await maker.getByLabel('Reason (required)').fill('Q4 loss review: medium-risk lenders defaulted at 70+.');
    await maker.getByRole('button', { name: 'Save as change request', exact: true }).click();
    await maker.getByRole('heading', { name: 'Financial default: high 75 → 70' }).waitFor();
    expect(new URL(maker.url()).pathname).toMatch(/^\/console\/change-requests\/[0-9a-f-]{36}$/);
    await maker.getByText('high 75 → 70', { exact: true }).waitFor();
    await maker.getByRole('button', { name: 'Submit for review' }).click();
    await maker.locator('.state', { hasText: 'in review' }).first().waitFor();
    // The author sees approve disabled, with the reason.
    const approve = maker.getByRole('button', { name: 'Approve' });
    expect(await approve.getAttribute('aria-disabled')).toBe('true');
    expect(await approve.getAttribute('aria-describedby')).toBeTruthy();
    await maker.getByText('You made this change; someone else must approve it.').waitFor();
    await maker.getByRole('region', { name: 'Impact' }).locator('.headline').waitFor();
    expect(await accessibilityProblems(maker)).toEqual([]);
    const requestUrl = maker.url();

    // The second person: the count in the navigation, the list awaiting their review, the approval.
    const checkerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    checkerContext.setDefaultTimeout(15_000);
    const checker = await checkerContext.newPage();
    await signedIn(checker, TEST_KEYS.admin);
    await checker.getByRole('link', { name: /^Change requests \(1\)\s*awaiting your review$/ }).click();
    await checker.getByRole('heading', { name: 'Change requests' }).waitFor();
    const row = checker.getByRole('row', { name: /Financial default: high 75 → 70/ });
    await row.getByText('test-editor').waitFor();
    await row.getByText(/would change level/).waitFor();
    expect(await accessibilityProblems(checker)).toEqual([]);
    if (SHOTS) await checker.screenshot({ path: join(ROOT, 'docs/console/change-requests.png') });
    await checker.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(checker)).toBe(false);
    await checker.setViewportSize({ width: 1280, height: 800 });
    await row.getByRole('link').click();
    await checker.getByText('Q4 loss review: medium-risk lenders defaulted at 70+.').waitFor();
    if (SHOTS) await checker.screenshot({ path: join(ROOT, 'docs/console/change-request.png'), fullPage: true });
    // The author edits the request while the checker reads it: the checker's approval of what they
    // read is refused, and the page shows the new revision to read.
    const id = new URL(requestUrl).pathname.split('/').pop()!;
    const edited = await send(
      app,
      'PATCH',
      `/v1/admin/risk/change-requests/${id}`,
      { reason: 'Q4 loss review: medium-risk lenders defaulted at 70+ (see the loss file).' },
      as('editor'),
    );
    expect(edited.json()).toMatchObject({ revision: 2, state: 'in_review' });
    await checker.getByRole('button', { name: 'Approve' }).click();
    await checker
      .getByRole('alert')
      .getByText(/changed since this page showed it, so nothing was done/)
      .waitFor();
    await checker.getByText('Q4 loss review: medium-risk lenders defaulted at 70+ (see the loss file).').waitFor();
    await checker
      .getByText(/revision 2/)
      .first()
      .waitFor();
    expect((await send(app, 'GET', `/v1/admin/risk/change-requests/${id}`)).json().reviews).toEqual([]);
    await checker.getByLabel('Review comment (optional)').fill('Checked against the Q4 loss file.');
    await checker.getByRole('button', { name: 'Approve' }).click();
    await checker.locator('.state', { hasText: 'approved' }).first().waitFor();
    await checker.getByText('Checked against the Q4 loss file.').waitFor();
    await checker.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(checker)).toBe(false);
    await checkerContext.close();

    // The author applies it (saying first what it changes); the list shows the new bands.
    await maker.goto(requestUrl);
    await maker.getByText('Applying it changes the thresholds in force: update Financial default.').waitFor();
    await maker.getByRole('button', { name: 'Apply…' }).click();
    await maker.getByText('Apply 1 item now? Classifications use the new bands at once.').waitFor();
    await maker.getByRole('button', { name: 'Apply now' }).click();
    await maker.getByText('Applied by test-editor.').waitFor();
    expect((await send(app, 'GET', `/v1/admin/risk/thresholds/${fd.id}`)).json().risk_levels).toEqual({
      ...fd.risk_levels,
      high: 70,
    });
    await maker.getByRole('link', { name: 'Thresholds' }).click();
    const listed = maker.getByRole('row', { name: /Financial default/ });
    await listed.locator('.cuts', { hasText: '25507090' }).waitFor();
    expect(unexpected(trouble.list())).toEqual([]);
    await author.close();
  }, 90_000); // two people, eight pages

  it('imports a file: the dry run’s differences, proposed as a change request', async () => {
    const exported = (await send(app, 'GET', '/v1/admin/risk/threshold-export')).json<
      { name: string; risk_levels: { high: number } }[]
    >();
    const operational = exported.find((t) => t.name.startsWith('Operational'))!;
    const edited = [
      ...exported.map((t) =>
        t === operational ? { ...t, risk_levels: { ...t.risk_levels, high: t.risk_levels.high - 3 } } : t,
      ),
      {
        name: 'Payment institutions',
        category: 'financial',
        industry_code: '5223',
        risk_levels: { low: 20, medium: 45, high: 70, critical: 88 },
      },
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'rts-import-')), 'thresholds-q4.json');
    writeFileSync(file, JSON.stringify(edited));
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const trouble = watchForTrouble(page);
    // Export and import are for admins, as in the API.
    await signedIn(page, TEST_KEYS.admin);
    await page.getByRole('link', { name: 'Import/export' }).click();
    await page.getByRole('heading', { name: 'Import and export' }).waitFor();
    await page.getByLabel('Threshold file (JSON)').setInputFiles(file);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText(`1 to create, 1 to update, 0 to delete, ${exported.length - 1} unchanged.`).waitFor();
    await page.getByText(`high ${operational.risk_levels.high} → ${operational.risk_levels.high - 3}`).waitFor();
    await page
      .getByRole('listitem')
      .filter({ hasText: /^Create Payment institutions/ })
      .waitFor();
    await page.getByLabel('Reason (required)').fill('Q4 review: payment institutions get their own bands.');
    expect(await accessibilityProblems(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(ROOT, 'docs/console/import-export.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(page)).toBe(false);
    await page.getByRole('button', { name: 'Propose as a change request' }).click();
    await page.getByRole('heading', { name: 'Import of thresholds-q4.json' }).waitFor();
    await page.getByText('Q4 review: payment institutions get their own bands.').waitFor();
    await page.getByRole('heading', { name: '2 items' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const proposed = (await send(app, 'GET', `/v1/admin/risk/change-requests/${id}`)).json();
    expect(proposed).toMatchObject({ state: 'draft', reason: 'Q4 review: payment institutions get their own bands.' });
    expect(proposed.items.map((i: { op: string }) => i.op).sort()).toEqual(['create', 'update']);
    // Nothing was written: the new threshold does not exist yet.
    expect(await thresholdNamed('Payment institutions')).toBeUndefined();
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
    expect(await focused(page)).toMatch(/^Change requests/);
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
