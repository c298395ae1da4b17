import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectedSystem } from './inspector-fixture.test-support';
import { serveInspector } from './serve-inspector';

/** Debian's chromium; `.ci/run` installs it when missing. Nothing is downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('../../../artifacts/', import.meta.url));

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('the inspector page in a real browser', () => {
  it('shows the actors, streams an asked reply, its tick and span tree, approvals, live', async () => {
    const { system, recorder, gate, refunds } = await inspectedSystem();
    const token = 'browser-test-token-0123456789';
    const inspector = await serveInspector(system, { port: 0, recorder, token });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    mkdirSync(artifacts, { recursive: true });
    try {
      await page.goto(inspector.url);
      await page.evaluate(() => {
        (window as unknown as { notReloaded: boolean }).notReloaded = true;
      });
      const support = page.locator('tr[data-actor="support"]');
      await expect.poll(() => support.textContent(), { timeout: 15_000 }).toContain('support desk');
      await expect
        .poll(() => page.locator('#status').textContent(), { timeout: 15_000 })
        .toBe('live');
      expect(await page.locator('tr.actor').count()).toBe(3);

      await support.click();
      await page.fill('#content', 'Where is order 7?');
      await page.click('#ask-button');
      await expect
        .poll(() => page.locator('#reply').textContent(), { timeout: 15_000 })
        .toBe('support: Order status: shipped');
      const tick = page.locator('#timeline .tick').first();
      await expect
        .poll(() => tick.locator('.line.out').textContent(), { timeout: 15_000 })
        .toBe('user: Order status: shipped');
      expect(await tick.locator('.line.in').textContent()).toBe('user: Where is order 7?');
      expect(await tick.locator('.line.tool').textContent()).toContain('lookup-order(');
      await tick.locator('summary').click();
      const spans = await tick.locator('.span-name').allTextContents();
      expect(spans).toEqual([
        'invoke_agent support desk',
        'behavior answer',
        'chat desk-model',
        'execute_tool lookup-order',
        'chat desk-model',
        'send user',
      ]);

      // Something happening elsewhere shows up without a reload: a mailbox fills up.
      await system.sendMessage('parked', 'waits for its actor');
      await expect
        .poll(() => page.locator('tr[data-actor="parked"] .mailbox').textContent(), {
          timeout: 15_000,
        })
        .toBe('1');

      // Sending to the looper ends in a dead letter, listed with its reason.
      await page.locator('tr[data-actor="looper"]').click();
      await page.fill('#content', 'round and round');
      await page.click('#send-button');
      await expect
        .poll(() => page.locator('#dead-letters tr').first().textContent(), { timeout: 15_000 })
        .toContain('HOP_LIMIT');
      expect(
        await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
      ).toBe(true);

      // The reply streams in: with the model held after two words, the page shows those two.
      await page.locator('tr[data-actor="support"]').click();
      gate.hold(2);
      await page.fill('#content', 'Where is order 8?');
      await page.click('#ask-button');
      await expect
        .poll(() => page.locator('#reply').textContent(), { timeout: 15_000 })
        .toBe('Order status: ');
      expect(await page.locator('#reply').getAttribute('class')).toBe('streaming');
      expect(await page.locator('#stream-log').textContent()).toContain('lookup-order → shipped');
      gate.release();
      await expect
        .poll(() => page.locator('#reply').textContent(), { timeout: 15_000 })
        .toBe('support: Order status: shipped');

      // A tool call that needs a person shows up as a pending approval; approving it runs the
      // tool and the reply arrives.
      expect(await page.locator('#approvals tr').count()).toBe(0);
      await page.fill('#content', 'Please refund 250');
      await page.click('#ask-button');
      const approval = page.locator('#approvals tr').first();
      await expect
        .poll(() => approval.textContent(), { timeout: 15_000 })
        .toContain('issue-refund');
      expect(await approval.textContent()).toContain('{"amount":250}');
      await expect
        .poll(() => page.locator('#reply').textContent(), { timeout: 15_000 })
        .toBe('Waiting for approval of issue-refund…');
      expect(refunds).toEqual([]);
      await page.screenshot({ path: `${artifacts}inspector-approval.png`, fullPage: true });
      await approval.locator('button.approve').click();
      await expect
        .poll(() => page.locator('#reply').textContent(), { timeout: 15_000 })
        .toBe('support: Refund outcome: {"refunded":250}');
      expect(refunds).toEqual([{ amount: 250 }]);
      expect(await page.locator('#stream-log').textContent()).toContain(
        'issue-refund → {"refunded":250}',
      );
      await expect.poll(() => page.locator('#approvals tr').count(), { timeout: 15_000 }).toBe(0);

      await page.locator('#timeline .tick summary').first().click();
      await page.screenshot({ path: `${artifacts}inspector.png`, fullPage: true });
    } finally {
      await page.close();
      await inspector.close();
      await system.shutdown();
    }
  }, 60_000);
});
