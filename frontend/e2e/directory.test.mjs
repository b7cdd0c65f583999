// Issue 11, items 9 and 10, as a person walks them in zh-CN: the member list in
// pinyin order with names and emails that never break mid-word (1440x900 and
// 390x844), a dedicated room's owner picked from the enterprise's members and shown
// by name with its row's actions in view, and the invitee picker toggling exactly
// the person clicked; a member with a phone number instead of an email, created in
// the form, signing in with it and choosing a password. Screenshots in
// e2e/artifacts/dir-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, login, logout, screenshot, startServer, withPage } from './harness.mjs';

let srv;
let browser;
let admin;
const longEmail = 'ouyang.nana.marketing.department@pinyin.e2e.test';

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  admin = await srv.createMember({ enterprise: 'pinyin', role: 'ENTERPRISE_ADMIN' });
  for (const [name, email] of [
    ['张三', 'zhangsan@pinyin.e2e.test'],
    ['李四', 'lisi@pinyin.e2e.test'],
    ['Alice', 'alice@pinyin.e2e.test'],
    ['欧阳娜娜', longEmail],
    ['王五', 'wangwu@pinyin.e2e.test'],
    ['阿明', 'aming@pinyin.e2e.test'],
  ])
    await srv.createMember({ enterprise: 'pinyin', name, email });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** How many lines the text of the element el takes (distinct tops of its line boxes). */
async function linesOf(locator) {
  return locator.evaluate((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    return new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top))).size;
  });
}

/** The members' names as the directory table shows them, top to bottom. */
async function tableNames(page) {
  return (await page.getByTestId('member-name').allInnerTexts()).map((n) => n.trim());
}

describe('directory and rooms in zh-CN', () => {
  for (const viewport of [
    { width: 1440, height: 900 },
    { width: 390, height: 844 },
  ])
    test(`members in pinyin order, names and emails whole (${viewport.width}x${viewport.height})`, () =>
      withPage(browser, `members ${viewport.width}`, { viewport }, async ({ page }) => {
        await login(page, srv.url, admin.email, admin.password);
        await page.goto(`${srv.url}/directory`);
        await page.getByRole('cell', { name: longEmail }).waitFor();
        assert.deepEqual(await tableNames(page), ['Alice', '阿明', '李四', '欧阳娜娜', 'pinyin 管理员', '王五', '张三']);
        for (const n of ['欧阳娜娜', 'pinyin 管理员']) {
          const cell = page.getByTestId('member-name').filter({ hasText: n });
          assert.equal(await linesOf(cell), 1, `the name ${n} breaks over lines`);
        }
        // Whole, or cut with an ellipsis and the whole address on hover.
        const shown = page.getByRole('cell', { name: longEmail }).getByTestId('member-email');
        assert.equal(await linesOf(shown), 1, 'the long email breaks over lines');
        assert.equal(await shown.getAttribute('title'), longEmail);
        await screenshot(page, `dir-members-${viewport.width}`, { fullPage: false });
      }));

  test('a dedicated room’s owner is picked by name and shown by name; its actions are in view', () =>
    withPage(browser, 'dedicated room owner', { viewport: { width: 1440, height: 900 } }, async ({ page }) => {
      await login(page, srv.url, srv.admin.email, srv.admin.password);
      await page.getByRole('menuitem', { name: '云会议室' }).click();
      await page.getByRole('cell', { name: '8000' }).waitFor();
      await page.getByRole('button', { name: '新建会议室' }).click();
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('会议室号').fill('8101');
      await dlg.getByLabel('名称').fill('张三的专属会议室');
      await dlg.getByLabel('容量').fill('8');
      await dlg.locator('label').filter({ hasText: /^专属$/ }).click();
      await dlg.getByRole('combobox', { name: '所属企业' }).click();
      await page.locator('.ant-select-item-option').filter({ hasText: 'pinyin 企业' }).click();
      await dlg.getByRole('combobox', { name: '专属用户' }).click();
      await page.keyboard.type('张');
      await page.locator('.ant-select-item-option').filter({ hasText: 'zhangsan@pinyin.e2e.test' }).click();
      await dlg.getByText('分配方式').click(); // closes the list
      await screenshot(page, 'dir-room-owner-picker', { fullPage: false });
      await dlg.getByRole('button', { name: /保\s*存/ }).click();
      const row = page.getByRole('row').filter({ hasText: '张三的专属会议室' });
      await row.getByText('专属：张三').waitFor();
      // The row's actions are whole and on top: nothing covers or cuts them.
      for (const name of ['编辑会议室 张三的专属会议室', '删除会议室 张三的专属会议室']) {
        const button = row.getByRole('button', { name });
        const box = await button.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 1440, `${name} is outside the window: ${JSON.stringify(box)}`);
        const onTop = await button.evaluate((b) => {
          const r = b.getBoundingClientRect();
          return [r.left + 2, r.right - 2].every((x) => b.contains(document.elementFromPoint(x, r.top + r.height / 2)));
        });
        assert.ok(onTop, `${name} is cut or covered`);
      }
      await screenshot(page, 'dir-rooms-1440', { fullPage: false });
      // The owner is kept when the room is edited.
      await row.getByRole('button', { name: '编辑会议室 张三的专属会议室' }).click();
      await page.getByRole('dialog').locator('.ant-select-selector .ant-tag').filter({ hasText: '张三' }).waitFor();
    }));

  test('the invitee picker toggles exactly the person clicked, and keeps results in place', () =>
    withPage(browser, 'invitee picker', { viewport: { width: 1440, height: 900 } }, async ({ page }) => {
      await login(page, srv.url, admin.email, admin.password);
      await page.goto(`${srv.url}/book`);
      const picker = page.getByRole('combobox', { name: '参会成员' });
      const select = page.locator('.ant-select').filter({ has: picker });
      const tags = async () => (await select.locator('.ant-select-selector .ant-tag').allInnerTexts()).map((s) => s.trim());
      await picker.click();
      await page.keyboard.type('张');
      await page.locator('.ant-select-item-option').filter({ hasText: 'zhangsan@' }).click();
      assert.deepEqual(await tags(), ['张三']);
      // Another search, which 张三 does not match: its results in their own order,
      // 张三 not put on top of them (where a click on the first result removed him).
      await page.keyboard.press('Escape');
      await page.getByText('开始时间').first().click(); // leaves the field: the search ends
      await picker.click();
      await page.keyboard.type('li');
      const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
      await options.filter({ hasText: 'lisi@' }).waitFor();
      const first = (await options.first().innerText()).trim();
      assert.match(first, /^Alice/, `the first result is ${first}`);
      await options.first().click();
      assert.deepEqual(await tags(), ['张三', 'Alice']);
      // The same click again removes Alice, and only her.
      await options.first().click();
      assert.deepEqual(await tags(), ['张三']);
      await screenshot(page, 'dir-picker', { fullPage: false });
    }));
});

describe('booking a dedicated room in zh-CN', () => {
  test('the booking form warns of a clash in a dedicated room before it is sent', () =>
    withPage(browser, 'dedicated clash', { viewport: { width: 1440, height: 900 } }, async ({ page }) => {
      const owner = await srv.createMember({ enterprise: 'pinyin', name: '赵六', email: 'zhaoliu@pinyin.e2e.test' });
      const me = await srv.gql('{me{id}}', {}, owner.token);
      const root = await srv.adminToken();
      const room = await srv.gql(
        'mutation($o:ID!){createRoom(input:{number:"8102",name:"赵六的会议室",capacity:6,scope:DEDICATED,ownerId:$o}){id}}',
        { o: me.me.id },
        root,
      );
      const day = new Date(Date.now() + 2 * 86400_000 + 8 * 3600_000).toISOString().slice(0, 10);
      await srv.gql(
        'mutation($in:BookMeetingInput!){bookMeeting(input:$in){id}}',
        { in: { name: '赵六的周会', start: `${day}T10:00:00+08:00`, durationMinutes: 60, roomId: room.createRoom.id } },
        owner.token,
      );

      await login(page, srv.url, owner.email, owner.password);
      await page.goto(`${srv.url}/book`);
      const input = page.getByLabel('开始时间', { exact: true });
      await input.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(`${day} 10:30`);
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      await page.locator('.ant-select').filter({ has: page.getByRole('combobox', { name: '会议室', exact: true }) }).click();
      await page.locator('.ant-select-item-option').filter({ hasText: '赵六的会议室' }).click();
      // Before anything is sent: the clash, named as the server would name it.
      await page.getByRole('alert').filter({ hasText: '专属会议室已被预订：与会议「赵六的周会」' }).waitFor();
      await screenshot(page, 'dir-dedicated-clash', { fullPage: false });
      // An hour that is free: no warning.
      await input.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(`${day} 14:00`);
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      await page.getByText('已预订 0 + 本次').first().waitFor();
      assert.equal(await page.getByRole('alert').filter({ hasText: '专属会议室已被预订' }).count(), 0);
    }));
});

describe('a member with a phone number instead of an email, in zh-CN', () => {
  test('an admin creates a phone-only member, who signs in with the phone number and must change the generated password', () =>
    withPage(browser, 'phone member', { viewport: { width: 1440, height: 900 } }, async ({ page }) => {
      await login(page, srv.url, admin.email, admin.password);
      await page.goto(`${srv.url}/directory`);
      await page.getByRole('button', { name: '添加成员' }).click();
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('名称').fill('钱手机');
      // Neither email nor phone: the form says what it needs, and sends nothing.
      await dlg.getByRole('button', { name: /保\s*存/ }).click();
      await dlg.getByText('邮箱和手机号至少填写一项', { exact: true }).waitFor();
      await dlg.getByTestId('contact-help').filter({ hasText: '成员可用其中任一登录' }).waitFor();
      await screenshot(page, 'dir-phone-member-form', { fullPage: false });
      await dlg.getByLabel('手机').fill('138 0013 8111');
      await dlg.getByRole('button', { name: /保\s*存/ }).click();
      const secret = page.getByRole('dialog').filter({ hasText: '初始密码' });
      await secret.getByText('登录账号').waitFor();
      assert.match(await secret.innerText(), /登录账号：\s*13800138111/);
      const password = (await page.getByTestId('generated-password').innerText()).trim();
      assert.ok(password.length >= 8, `generated password: ${password}`);
      await screenshot(page, 'dir-phone-member-secret', { fullPage: false });
      await secret.getByRole('button', { name: /关\s*闭/ }).click();

      // The table shows the member whole: the phone, and an email cell that says why it is empty.
      const row = page.getByRole('row').filter({ has: page.getByTestId('member-name').filter({ hasText: '钱手机' }) });
      await row.getByText('13800138111').waitFor();
      assert.equal((await row.getByTestId('member-no-email').innerText()).trim(), '无（用手机号登录）');
      await screenshot(page, 'dir-phone-member-table', { fullPage: false });
      await logout(page);

      // The member signs in through the login page with the number as people write it.
      await page.goto(`${srv.url}/login`);
      await page.getByLabel('邮箱或手机号').fill('+86 138-0013-8111');
      await page.getByLabel('密码', { exact: true }).fill(password);
      await screenshot(page, 'dir-phone-login', { fullPage: false });
      await page.getByRole('button', { name: /^登\s*录$/ }).click();
      await page.getByRole('heading', { name: '设置新密码' }).waitFor();
      await page.getByLabel('当前密码（管理员提供的密码）').fill(password);
      // The phone number is no password.
      await page.getByLabel('新密码', { exact: true }).fill('13800138111');
      await page.getByLabel('再次输入新密码').fill('13800138111');
      await page.getByRole('button', { name: '修改密码' }).click();
      await page.getByRole('alert').filter({ hasText: /手机号/ }).waitFor();
      await page.getByLabel('新密码', { exact: true }).fill('Qian-chose-this-9');
      await page.getByLabel('再次输入新密码').fill('Qian-chose-this-9');
      await page.getByRole('button', { name: '修改密码' }).click();
      await page.getByRole('heading', { name: '我的日程' }).waitFor();
      await page.getByRole('button', { name: /账号菜单/ }).click();
      await page.getByRole('menuitem').filter({ hasText: '13800138111' }).waitFor();
      await screenshot(page, 'dir-phone-member-in', { fullPage: false });
      await page.keyboard.press('Escape');

      // The profile shows the phone and no empty email line.
      await page.goto(`${srv.url}/profile`);
      await page.getByText('13800138111').waitFor();
      assert.equal(await page.locator('.ant-descriptions-item-label').filter({ hasText: /^邮箱$/ }).count(), 0);
      // No empty rows where the email and department would be: the rows are evenly spaced.
      const tops = await page.locator('.ant-descriptions-row').evaluateAll((rows) => rows.map((r) => Math.round(r.getBoundingClientRect().height)));
      assert.ok(new Set(tops.slice(0, -1)).size === 1, `uneven rows: ${tops}`);
      await screenshot(page, 'dir-phone-member-profile', { fullPage: false });

      // Signed out, the new password works with the plain number too.
      await logout(page);
      await login(page, srv.url, '13800138111', 'Qian-chose-this-9');
    }));
});
