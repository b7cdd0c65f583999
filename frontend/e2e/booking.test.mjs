// Issue 11, items 2 and 3, as a person walks them in zh-CN: an enterprise with a
// concurrency quota of 20 books a meeting by picking only a start time (the form
// fills in the 20 that fit and says why), the host starts it, enters the room and
// ends it for everyone; the resource page shows the quota free at once and the
// same hour can be booked again. Screenshots in e2e/artifacts/booking-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';

let srv;
let browser;
let host;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  host = await srv.createMember({ enterprise: 'quota20', name: '陈主持', quota: 20 });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** Now in Asia/Shanghai (the browser's zone), rounded down to 5 minutes, as the date picker shows it. */
function slotNow() {
  const d = new Date(Date.now() + 8 * 3600_000);
  d.setUTCMinutes(Math.floor(d.getUTCMinutes() / 5) * 5, 0, 0);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/** Types a date and time into the antd DatePicker labelled label. */
async function pickDateTime(page, label, text) {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

/**
 * Books through the form with only a start time: the participants field is left
 * as the form fills it. Returns the meeting's number from its details page.
 */
async function bookWithOnlyAStart(page, start, shot) {
  await page.getByRole('menuitem', { name: '我的日程' }).click();
  await page.getByRole('button', { name: '预约会议' }).first().click();
  await page.waitForURL(/\/book$/);
  await pickDateTime(page, '开始时间', start);
  // The default fits the quota, and the form says where it comes from.
  await page.getByText('默认 20 人（企业并发配额）').waitFor();
  assert.equal(await page.getByLabel('参会人数').inputValue(), '20');
  // The resource status beside the form: nothing over the quota.
  await page.getByText('已预订 0 + 本次 20 / 20 人').first().waitFor();
  assert.equal(await page.getByText(/超出企业并发配额/).count(), 0);
  await screenshot(page, shot);
  await page.getByRole('button', { name: /预约会议$/ }).last().click();
  await page.waitForURL(/\/meetings\/[^/]+$/);
  await page.getByText('预约成功！会议号').waitFor();
  const row = page.locator('.ant-descriptions-row').filter({ hasText: '参会人数' });
  await row.getByText('20 人').waitFor();
  return (await page.getByText(/^\d{10}$/).first().innerText()).trim();
}

describe('booking under a quota of 20', () => {
  test('book with only a start, start, end for all, the quota is free, book the same hour again', async () => {
    const { page, errors, context } = await newPage(browser, { ignoreConsole: [/Failed to load resource.*favicon/] });
    try {
      await login(page, srv.url, host.email, host.password);
      const start = slotNow();
      const first = await bookWithOnlyAStart(page, start, 'booking-1-only-start');
      await screenshot(page, 'booking-2-booked');

      // The host starts it from its page, enters the room and ends it for everyone.
      await page.getByRole('button', { name: '开始会议' }).click();
      await page.waitForURL(new RegExp(`/join/${first}$`));
      await page.getByRole('button', { name: /加入会议/ }).click();
      await page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 30_000 });
      await page.getByTestId('leave').click();
      await page.getByRole('button', { name: '结束会议（所有人）' }).click();
      await page.locator('[data-testid="room-ended"][data-reason="meetingEnded"]').waitFor({ timeout: 15_000 });
      await screenshot(page, 'booking-3-ended');
      await page.getByRole('button', { name: '返回首页' }).click();

      // The resource page shows the quota free at once, today and the next hour.
      await page.getByRole('menuitem', { name: '资源状态' }).click();
      await page.getByText('本企业在会人数').waitFor();
      // Only the enterprise's quota is 20 here (the platform and room 8000 hold 1000).
      const quota = (text) => page.getByText(text, { exact: true }).waitFor();
      await quota('已预订 0 / 20 人');
      await screenshot(page, 'booking-4-resources-today');
      await page.locator('label').filter({ hasText: /^未来 1 小时$/ }).click();
      await quota('已预订 0 / 20 人');
      await screenshot(page, 'booking-5-resources-hour');

      // The same hour, the same start: booked again.
      const second = await bookWithOnlyAStart(page, start, 'booking-6-again');
      assert.notEqual(second, first);
      await screenshot(page, 'booking-7-booked-again');
      // Now the new meeting holds the quota.
      await page.getByRole('menuitem', { name: '资源状态' }).click();
      await page.locator('label').filter({ hasText: /^未来 1 小时$/ }).click();
      await quota('已预订 20 / 20 人');
      await screenshot(page, 'booking-8-resources-after');
      // The instant meeting form starts from the same default.
      await page.getByRole('menuitem', { name: '快速会议' }).click();
      await page.getByText('默认 20 人（企业并发配额）').waitFor();
      assert.equal(await page.getByLabel('参会人数').inputValue(), '20');
      await screenshot(page, 'booking-9-instant-default');
      assert.deepEqual(errors, []);
    } catch (e) {
      await screenshot(page, 'FAIL-booking', { settleMs: 0 }).catch(() => {});
      if (errors.length) e.message += `\nbrowser errors:\n${errors.join('\n')}`;
      throw e;
    } finally {
      await context.close();
    }
  });
});
