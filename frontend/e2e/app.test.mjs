// The web app against the real server in Chromium, in zh-CN: the platform admin
// sets up an enterprise and its admin, the enterprise admin adds a member, the
// member books a meeting through the form and finds it in the schedule. Every main
// screen is saved as a screenshot in e2e/artifacts/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, login, logout, screenshot, solidPNG, startServer, withPage } from './harness.mjs';

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

/** Clicks the OK button of the open modal dialog whose title matches. */
async function confirmDialog(page, title, button) {
  const dialog = page.getByRole('dialog').filter({ hasText: title });
  const ok = dialog.getByRole('button', { name: button });
  await ok.click();
  // A click landing while the dialog still opens can be lost on a loaded machine.
  await dialog.waitFor({ state: 'hidden', timeout: 5000 }).catch(async () => {
    if (await ok.isEnabled().catch(() => false)) await ok.click().catch(() => {});
    await dialog.waitFor({ state: 'hidden' });
  });
}

/** Types a date and time into an antd DatePicker found by its label. */
async function pickDateTime(page, label, text) {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

/** A date n days from now in Asia/Shanghai, as YYYY-MM-DD. */
function shanghaiDate(days) {
  const d = new Date(Date.now() + days * 86400_000 + 8 * 3600_000);
  return d.toISOString().slice(0, 10);
}

describe('the web app in zh-CN', () => {
  const ent = { name: '示例科技有限公司', code: 'demo', adminEmail: 'admin@demo.e2e.test', adminPassword: 'demo-admin-pass-1' };
  const member = { name: '李雷', email: 'lilei@demo.e2e.test', password: '' };
  const day = shanghaiDate(2);
  const brandDomain = 'meet.demo.e2e.test';

  test('login page, branded and in Chinese; wrong passwords are explained', () =>
    withPage(browser, 'login page, branded and in Chinese; wron', {}, async ({ page }) => {
    await page.goto(srv.url + '/schedule');
    await page.waitForURL(/\/login$/);
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await screenshot(page, '01-login');
    await page.getByLabel('邮箱或手机号').fill(srv.admin.email);
    await page.getByLabel('密码', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByRole('alert').filter({ hasText: '账号或密码错误' }).waitFor();
    }));

  test('(a) platform admin creates an enterprise with its admin and a room', () =>
    withPage(browser, '(a) platform admin creates an enterprise', {}, async ({ page }) => {
    await login(page, srv.url, srv.admin.email, srv.admin.password);
    assert.match(page.url(), /\/admin\/enterprises$/);

    await page.getByRole('button', { name: '新建企业' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('名称').fill(ent.name);
    await form.getByLabel('企业代码').fill(ent.code);
    await form.getByLabel('并发配额').fill('200');
    await form.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByRole('cell', { name: ent.name }).waitFor();

    await page.getByRole('row', { name: new RegExp(ent.name) }).getByRole('button', { name: '添加管理员' }).click();
    const admin = page.getByRole('dialog');
    await admin.getByLabel('名称').fill('王芳');
    await admin.getByLabel('邮箱').fill(ent.adminEmail);
    await admin.getByLabel(/^密码/).fill(ent.adminPassword);
    await admin.getByRole('button', { name: /新\s*建/ }).click();
    await admin.getByText(`已创建管理员 ${ent.adminEmail}`).waitFor();
    await admin.getByRole('button', { name: /关\s*闭/ }).click();
    await screenshot(page, '02-platform-enterprises');

    await page.getByRole('menuitem', { name: '云会议室' }).click();
    await page.getByRole('cell', { name: '8000' }).waitFor(); // the default shared room
    await page.getByRole('button', { name: '新建会议室' }).click();
    const room = page.getByRole('dialog');
    await room.getByLabel('会议室号').fill('8001');
    await room.getByLabel('名称').fill('示例科技培训室');
    await room.getByLabel('容量').fill('60');
    await room.locator('label').filter({ hasText: /^企业$/ }).click();
    await room.getByRole('combobox', { name: '企业' }).click();
    await page.locator('.ant-select-item-option').filter({ hasText: ent.name }).click();
    await room.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByRole('cell', { name: '示例科技培训室', exact: true }).waitFor();
    await screenshot(page, '03-platform-rooms');
    }));

  test('(a) enterprise admin adds a member, a group and the brand', () =>
    withPage(browser, '(a) enterprise admin adds a member, a gr', {}, async ({ page }) => {
    await login(page, srv.url, ent.adminEmail, ent.adminPassword);
    assert.match(page.url(), /\/schedule/);
    await page.getByRole('menuitem', { name: '通讯录' }).click();
    await page.getByRole('button', { name: '添加成员' }).click();
    const dlg = page.getByRole('dialog');
    await dlg.getByLabel('名称').fill(member.name);
    await dlg.getByLabel('邮箱').fill(member.email);
    await dlg.getByLabel('手机').fill('13800138000');
    await dlg.getByLabel('部门').fill('研发部');
    await dlg.getByLabel('职务').fill('工程师');
    await dlg.getByRole('button', { name: /保\s*存/ }).click();
    member.password = (await page.getByTestId('generated-password').innerText()).trim();
    assert.ok(member.password.length >= 8, `generated password: ${member.password}`);
    await page.getByRole('dialog').getByRole('button', { name: /关\s*闭/ }).click();
    await page.getByRole('cell', { name: member.email }).waitFor();
    await screenshot(page, '04-directory-members');

    await page.getByRole('tab', { name: '群组' }).click();
    await page.getByRole('button', { name: '新建群组' }).click();
    const g = page.getByRole('dialog');
    await g.getByLabel('群组名称').fill('研发部全员');
    await g.getByRole('combobox', { name: '参会成员' }).click();
    await page.keyboard.type('李');
    await page.locator('.ant-select-item-option').filter({ hasText: member.name }).click();
    await g.getByText('群组名称').click(); // closes the member list
    await g.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('研发部全员', { exact: true }).waitFor();
    await screenshot(page, '05-directory-groups');
    await page.getByRole('tab', { name: '导入导出' }).click();
    await page.getByText('1. 下载模板').waitFor();
    // A file with a bad row: nothing is imported, the row is reported.
    const upload = (name, text) =>
      page.locator('input[type=file]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from('\ufeff' + text) });
    await upload('bad.csv', '姓名*,邮箱*,手机,部门\n韩梅梅,hanmeimei@demo.e2e.test,13900139000,市场部\n张伟,not-an-email,,市场部\n');
    await page.getByRole('button', { name: '检查文件' }).click();
    await page.getByText(/发现 1 处错误/).waitFor();
    await page.getByRole('cell', { name: '邮箱格式不正确', exact: false }).waitFor();
    await screenshot(page, '06-directory-import-errors');
    await upload('good.csv', '姓名*,邮箱*,手机,部门\n韩梅梅,hanmeimei@demo.e2e.test,13900139000,市场部\n张伟,zhangwei@demo.e2e.test,,市场部\n');
    await page.getByRole('button', { name: '检查文件' }).click();
    await page.getByText('检查通过：共 2 行，可以导入').waitFor();
    await page.getByRole('button', { name: '开始导入' }).click();
    await page.getByText('导入完成：共 2 行').waitFor();
    await page.getByRole('tab', { name: '成员' }).click();
    await page.getByRole('cell', { name: 'zhangwei@demo.e2e.test' }).waitFor();

    await page.getByRole('menuitem', { name: '品牌设置' }).click();
    await page.getByLabel('标语').fill('示例科技 · 连接每一位同事');
    await page.locator('input[type=file]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: solidPNG(160, 48, [19, 168, 168]) });
    // The logo is applied with the other fields, by 保存并应用, not on its own.
    await page.getByTestId('logo-pending').getByText('新 Logo 将在“保存并应用”后生效').waitFor();
    assert.equal(await page.getByRole('img', { name: ent.name }).count(), 0, 'the logo was applied before saving');
    await page.locator('.ant-color-picker-trigger').click();
    await page.locator('.ant-color-picker-presets-color').nth(2).click(); // #13a8a8
    await page.getByLabel('标语').click(); // closes the colour picker
    await page.getByRole('combobox', { name: '域名' }).click();
    await page.keyboard.type(brandDomain);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: '保存并应用' }).click();
    await page.getByText('品牌设置已保存并应用').waitFor();
    // Applied at once: the app's theme takes the new colour and the logo.
    await page.mouse.move(0, 0);
    assert.equal(await page.locator('meta[name="theme-color"]').getAttribute('content'), '#13a8a8');
    await page.getByRole('img', { name: ent.name }).first().waitFor();
    await screenshot(page, '07-branding');
    await logout(page);
    }));

  test('the enterprise’s domain shows its brand before login', async () => {
    const b = await launchBrowser({ args: [`--host-resolver-rules=MAP ${brandDomain} 127.0.0.1`] });
    try {
      await withPage(b, 'branded login', {}, async ({ page }) => {
        await page.goto(`http://${brandDomain}:${new URL(srv.url).port}/login`);
        await page.getByText('示例科技 · 连接每一位同事').waitFor();
        await page.getByRole('img', { name: ent.name }).first().waitFor();
        assert.equal(await page.locator('meta[name="theme-color"]').getAttribute('content'), '#13a8a8');
        await screenshot(page, '18-login-branded');
      });
    } finally {
      await b.close();
    }
  });

  test('(a) the member books a meeting through the form and sees it in the schedule', () =>
    withPage(browser, '(a) the member books a meeting through t', {}, async ({ page }) => {
    // The password the admin's form generated must be replaced first.
    await page.goto(`${srv.url}/login`);
    await page.getByLabel(/邮箱/).fill(member.email);
    await page.getByLabel('密码', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByRole('heading', { name: '设置新密码' }).waitFor();
    await page.goto(`${srv.url}/schedule`);
    await page.getByRole('heading', { name: '设置新密码' }).waitFor();
    await page.getByLabel('当前密码（管理员提供的密码）').fill(member.password);
    await page.getByLabel('新密码', { exact: true }).fill('password123');
    await page.getByLabel('再次输入新密码').fill('password123');
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByRole('alert').filter({ hasText: '这个密码太常见' }).waitFor();
    await screenshot(page, '08a-first-password');
    member.password = 'Lilei-chose-this-7';
    await page.getByLabel('新密码', { exact: true }).fill(member.password);
    await page.getByLabel('再次输入新密码').fill(member.password);
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByRole('heading', { name: '我的日程' }).waitFor();

    await page.getByRole('button', { name: '预约会议' }).first().click();
    await page.waitForURL(/\/book$/);
    await pickDateTime(page, '开始时间', `${day} 10:00`);
    await page.getByLabel('会议名称').fill('项目周会');
    await page.locator('label').filter({ hasText: /^每周$/ }).click();
    await page.getByRole('spinbutton', { name: '重复次数' }).fill('4');
    await page.getByText(/每周的周.，共 4 次/).waitFor();
    // The rule reads as words; no machine text (RRULE:…) in the form.
    assert.equal(await page.getByText('RRULE', { exact: false }).count(), 0, 'raw RRULE text in the booking form');
    await page.getByLabel('会议描述').fill('每周同步项目进展。');
    // The resource status for the chosen time is shown before submitting.
    await page.getByText('该时段资源情况').waitFor();
    await page.getByText('企业并发配额').first().waitFor();
    await screenshot(page, '08-booking-form');

    // Over the enterprise's quota (200): warned beside the form, refused with the reason.
    await page.getByLabel('参会人数').fill('500');
    await page.getByText('超出企业并发配额：剩余 200 人，本次需要 500 人').waitFor();
    await page.getByRole('button', { name: /预约会议$/ }).last().click();
    await page.getByRole('alert').filter({ hasText: '企业并发配额为 200 人，无法容纳 500 人' }).waitFor();
    await screenshot(page, '08-booking-conflict', { fullPage: false });
    await page.getByLabel('参会人数').fill('25');
    await page.getByRole('button', { name: /预约会议$/ }).last().click();
    await page.waitForURL(/\/meetings\/[^/]+$/);
    await page.getByText('预约成功！会议号').waitFor();
    const number = (await page.getByText(/^\d{10}$/).first().innerText()).trim();
    assert.match(number, /^\d{10}$/);
    await screenshot(page, '09-meeting-details');

    // Invite more people, cancel one occurrence, edit the whole series.
    await page.getByRole('button', { name: /邀请更多人/ }).click();
    const inv = page.getByRole('dialog');
    await inv.getByRole('combobox', { name: '参会成员' }).click();
    await page.keyboard.type('韩');
    await page.locator('.ant-select-item-option').filter({ hasText: '韩梅梅' }).click();
    await inv.getByText('新受邀人会收到').click(); // closes the member list
    await inv.getByRole('button', { name: '发送邀请' }).click();
    await page.getByText('邀请已发送').waitFor();
    await page.getByRole('listitem').filter({ hasText: '韩梅梅' }).waitFor();
    // The second meeting of the series is cancelled; the first stays.
    await page.getByRole('button', { name: '取消本场' }).nth(1).click();
    await confirmDialog(page, '这一场吗', /取消本场/);
    await page.waitForFunction(() => document.querySelectorAll('.ant-list-item button').length === 6); // 3 meetings × 2 actions
    await page.getByRole('button', { name: /编\s*辑/ }).click();
    await page.getByRole('menuitem', { name: '修改整个系列' }).click();
    await page.waitForURL(/\/edit$/);
    await page.getByLabel('会议名称').fill('项目周会（研发）');
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.getByText('会议已更新，参会人会收到更新通知').waitFor();
    await page.getByRole('heading', { name: /项目周会（研发）/ }).waitFor();

    await page.goto(`${srv.url}/schedule?view=week&date=${day}`);
    await page.getByRole('button', { name: /项目周会（研发），10:00 到 11:00/ }).waitFor();
    await screenshot(page, '10-schedule-week', { fullPage: false });
    await page.locator('label').filter({ hasText: /^列表$/ }).click();
    await page.getByRole('link', { name: '项目周会（研发）' }).first().waitFor();
    await screenshot(page, '11-schedule-list');

    // Resource status and history.
    await page.getByRole('menuitem', { name: '资源状态' }).click();
    await page.getByText('本企业在会人数').waitFor();
    await screenshot(page, '12-resources');
    // Instant meeting → join page with the device preview → the room.
    await page.getByRole('menuitem', { name: '快速会议' }).click();
    await page.getByRole('button', { name: '立即开会' }).click();
    await page.waitForURL(/\/join\/\d+$/);
    await page.getByText('设备预览').waitFor();
    await page.locator('video').waitFor();
    await screenshot(page, '14-join');
    const instantNumber = page.url().match(/\/join\/(\d+)$/)[1];
    await page.getByRole('button', { name: /加入会议/ }).click();
    await page.waitForURL(/\/meeting\/\d+$/);
    // A control in the room is in the log: who did what.
    await page.getByRole('button', { name: /锁定会议/ }).click();
    await page.getByRole('button', { name: /解锁会议/ }).waitFor();

    // The host ends the instant meeting from its page; it moves to the history with its log.
    await page.goto(`${srv.url}/schedule?view=list`);
    await page.getByRole('link', { name: /快速会议/ }).first().click();
    await page.getByText(instantNumber).first().waitFor();
    await page.getByRole('button', { name: /结束会议/ }).click();
    await confirmDialog(page, '确定结束会议吗', /结束会议/);
    await page.getByText('会议已结束').waitFor();
    await page.getByRole('menuitem', { name: '历史会议' }).click();
    await page.getByRole('heading', { name: '历史会议' }).waitFor();
    await page.getByRole('table').getByText(new RegExp(instantNumber)).waitFor();
    await screenshot(page, '13-history');
    await page.getByRole('button', { name: /日志/ }).first().click();
    await page.getByRole('dialog').getByText('会议结束').first().waitFor();
    // The lock, worded in Chinese with its actor (the member who hosts).
    const lockRow = page.getByRole('dialog').getByRole('row').filter({ hasText: '锁定会议' });
    await lockRow.getByText('会控').waitFor();
    await lockRow.getByText(member.name).waitFor();
    // The end is its own row with the host and the reason, not also an actorless control.
    await page.getByRole('dialog').getByRole('row').filter({ hasText: '会议结束' }).getByText('主持人结束').waitFor();
    assert.equal(await page.getByRole('dialog').getByText('结束会议', { exact: true }).count(), 0);
    await screenshot(page, '13-history-log', { fullPage: false });
    await page.keyboard.press('Escape');
    // Run it again with the same settings, now: straight to the join page.
    await page.getByRole('button', { name: '再次发起' }).first().click();
    await page.getByRole('dialog').filter({ hasText: '再次发起「' }).getByRole('button', { name: '再次发起' }).click();
    await page.waitForURL(/\/join\/\d+$/);
    assert.notEqual(page.url().match(/\/join\/(\d+)$/)[1], instantNumber);
    }));

  test('phone-sized screens get a drawer menu', () =>
    withPage(browser, 'phone-sized screens get a drawer menu', { viewport: { width: 390, height: 844 } }, async ({ page }) => {
    await login(page, srv.url, member.email, member.password);
    await page.getByRole('heading', { name: '我的日程' }).waitFor();
    await screenshot(page, '15-phone-schedule', { fullPage: false });
    await page.getByRole('button', { name: '打开菜单' }).click();
    await page.getByRole('menuitem', { name: '预约会议' }).waitFor();
    await screenshot(page, '16-phone-menu', { fullPage: false });
    }));

  test('English is available', () =>
    withPage(browser, 'English is available', { lang: 'en', locale: 'en-US' }, async ({ page }) => {
    await page.goto(srv.url + '/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, '17-login-en');
    }));
});
