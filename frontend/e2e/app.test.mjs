// The web app against the real server in Chromium. Screenshots land in e2e/artifacts/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

describe('login', () => {
  test('the branded login page, then the platform admin signs in', async () => {
    const { page, assertClean } = await newPage(browser);
    await page.goto(srv.url + '/schedule');
    await page.waitForURL(/\/login$/);
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await screenshot(page, '01-login');
    await page.getByLabel('邮箱').fill(srv.admin.email);
    await page.getByLabel('密码', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByRole('alert').filter({ hasText: '邮箱或密码错误' }).waitFor();
    await login(page, srv.url, srv.admin.email, srv.admin.password);
    assert.match(page.url(), /\/admin\/enterprises$/);
    assertClean('login');
    await page.context().close();
  });
});
