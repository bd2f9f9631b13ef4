import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, Locator, Page } from 'playwright-core';
import { createTestApp, TEST_KEYS } from '@test/support/app';
import { launchChromium, watchForTrouble } from '@test/support/browser';

// Issue #15: the docs page in a real Chromium, used as a person uses it: Authorize with a key,
// "Try it out" on POST /v1/risk/classify, read the answer. Nothing on the page may fail to load.
describe('the /docs page in Chromium', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function openClassify(page: Page): Promise<Locator> {
    await page.goto(`${base}/docs`);
    const operation = page.locator('#operations-read-classify');
    await operation.locator('.opblock-summary-control').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    return operation;
  }

  async function authorize(page: Page, scheme: 'bearer' | 'apiKey', key: string): Promise<void> {
    await page
      .locator('.auth-wrapper')
      .getByRole('button', { name: /Authorize/ })
      .click();
    const dialog = page.locator('.dialog-ux');
    const block = dialog.locator('.auth-container').filter({ has: page.locator('h4 code', { hasText: scheme }) });
    await block.locator('input').fill(key);
    await block.getByRole('button', { name: 'Apply credentials' }).click();
    // Authorized: the form now says "Logout" for this scheme.
    await block.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await dialog.locator('.close-modal').click();
  }

  it.each(['bearer', 'apiKey'] as const)(
    'authorizes with a key (%s) and classifies a score with "Try it out"',
    async (scheme) => {
      const page = await browser.newPage();
      const trouble = watchForTrouble(page);
      try {
        const operation = await openClassify(page);
        await authorize(page, scheme, TEST_KEYS.reader);
        // The body starts as the documented example, a request the API accepts as it is.
        const body = JSON.parse(await operation.locator('textarea.body-param__text').inputValue());
        expect(body).toEqual({ score: 72.5, category: 'financial', industry_code: '5221', business_type: null });
        await operation.getByRole('button', { name: 'Execute' }).click();

        const live = operation.locator('.live-responses-table .response');
        await live.locator('.response-col_status').waitFor();
        expect((await live.locator('.response-col_status').textContent())?.trim()).toBe('200');
        const answer = JSON.parse((await live.locator('.microlight').first().textContent()) ?? '');
        expect(answer).toMatchObject({ score: 72.5, level: expect.stringMatching(/^(low|medium|high|critical)$/) });
        expect(trouble.list()).toEqual([]);
      } finally {
        await page.close();
      }
    },
    60_000,
  );

  it('without a key, "Try it out" shows the 401 problem from the API', async () => {
    const page = await browser.newPage();
    const trouble = watchForTrouble(page);
    try {
      const operation = await openClassify(page);
      await operation.getByRole('button', { name: 'Execute' }).click();
      const live = operation.locator('.live-responses-table .response');
      await live.locator('.response-col_status').waitFor();
      expect((await live.locator('.response-col_status').textContent())?.trim()).toBe('401');
      const answer = JSON.parse((await live.locator('.microlight').first().textContent()) ?? '');
      expect(answer).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      // The page's own loads all succeeded; the only failed response is the API's deliberate 401.
      expect(trouble.list().filter((line) => !line.includes('/v1/risk/classify'))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
