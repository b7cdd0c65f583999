// Chat and raised hands in the meeting room, as people use them: a host (signed in) and
// two guests without accounts in two Chromium browsers against the real server; the
// second guest on a phone-sized page (390x844). The host mutes a guest, who raises a
// hand from the muted banner; the host sees it and lowers it. Messages to everyone, a
// private one to the host, markup kept as text, the rate limit; the 历史会议 page keeps
// the chat after the meeting. Screenshots in e2e/artifacts/chat-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, login, newPage, screenshot, sleep, startServer, until } from './harness.mjs';

let srv;
const browsers = [];
let host;
let meeting;

const MARKUP = '<img src=x onerror="window.__pwned=1"><b>粗体</b>';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

/** A guest without an account joins with a name and the password. */
async function guestJoins(browser, name, viewport) {
  const p = await newPage(browser, { viewport, timeoutMs: 45_000, ignoreConsole: [/Failed to load resource/] });
  await p.page.goto(`${srv.url}/join/${meeting.number}`);
  // Cameras off: the test is about chat, and the machine is shared.
  const cam = p.page.getByRole('switch', { name: '入会时开启摄像头' });
  if ((await cam.getAttribute('aria-checked')) === 'true') await cam.click();
  await p.page.getByLabel('会议密码').fill(meeting.password);
  await p.page.getByLabel('您的名称').fill(name);
  await p.page.getByRole('button', { name: /加入会议/ }).click();
  await p.page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 30_000 });
  p.id = await p.page.locator('[data-testid="room"]').getAttribute('data-participant-id');
  return p;
}

/** Opens the chat panel (a drawer on a phone) unless it is open. */
async function openChat(page) {
  const toggle = page.getByTestId('chat-toggle');
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await page.getByTestId('chat-panel').waitFor();
}

/** Sends text to whom (the target's label) from the chat panel, as a person types it. */
async function send(page, text, to = '所有人') {
  const panel = page.getByTestId('chat-panel');
  const target = panel.getByTestId('chat-target');
  if ((await target.innerText()).trim() !== to) {
    await target.click();
    await page.locator('.ant-select-dropdown:visible').getByText(to, { exact: true }).click();
  }
  await panel.getByTestId('chat-input').fill(text);
  await panel.getByTestId('chat-input').press('Enter');
}

/** The messages a page's chat panel shows: [from, text, private]. */
const shown = (page) =>
  page.getByTestId('chat-panel').locator('[data-testid="chat-message"]').evaluateAll((els) =>
    els.map((e) => [e.querySelector('.chat-from').textContent, e.querySelector('.chat-text').textContent, e.dataset.private === 'true']),
  );

/** Waits until page shows a message with this text from this sender. */
async function sees(page, from, text) {
  await until(`${from}: ${text}`, async () => (await shown(page)).some(([f, t]) => f === from && t === text), 30_000);
}

before(async () => {
  srv = await startServer();
  host = await srv.createMember({ enterprise: 'chat', name: '王主持' });
  const r = await srv.gql(
    'mutation($in: InstantMeetingInput!) { startInstantMeeting(input: $in) { meeting { id number password } } }',
    { in: { name: '周例会' } },
    host.token,
  );
  meeting = r.startInstantMeeting.meeting;
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  await srv?.stop();
});

describe('chat and raised hands', () => {
  let H; // the host
  let G; // 访客甲, a guest on a desktop browser
  let P; // 访客乙, a guest on a phone-sized page, joins later

  test('a muted guest raises a hand from the banner; the host sees it first in the list and lowers it', async () => {
    const hb = await launchBrowser();
    const gb = await launchBrowser();
    browsers.push(hb, gb);
    H = await newPage(hb, { viewport: DESKTOP, timeoutMs: 45_000, ignoreConsole: [/Failed to load resource.*favicon/] });
    await login(H.page, srv.url, host.email, host.password);
    await H.page.goto(`${srv.url}/join/${meeting.number}`);
    await H.page.getByRole('button', { name: /加入会议/ }).click();
    await H.page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 30_000 });
    G = await guestJoins(gb, '访客甲', DESKTOP);
    const row = H.page.locator(`[data-testid="roster"] li[data-participant="${G.id}"]`);
    await row.filter({ hasText: '访客甲' }).waitFor();

    await H.page.getByTestId(`actions-${G.id}`).click();
    await H.page.getByRole('menuitem', { name: '静音' }).click();
    const banner = G.page.getByTestId('muted-by-host');
    await banner.filter({ hasText: '如需发言请举手' }).waitFor();
    await banner.getByTestId('banner-raise-hand').click();

    // The host is told, and the list shows the hand, raised hands first.
    await H.page.locator('.ant-message').getByText('访客甲 举手').waitFor();
    await row.getByTestId(`hand-${G.id}`).filter({ hasText: '已举手' }).waitFor();
    await H.page.getByTestId('hands').filter({ hasText: '1 人举手' }).waitFor();
    const first = await H.page.locator('[data-testid="roster"] .roster-list li').first().getAttribute('data-participant');
    assert.equal(first, G.id, 'the raised hand is not first in the host\'s list');
    // The guest sees their own hand up: the toolbar button and the banner say so.
    await until('hand button pressed', () => G.page.getByTestId('raise-hand').getAttribute('aria-pressed').then((v) => v === 'true'));
    await banner.getByText('已举手').waitFor();
    await screenshot(H.page, 'chat-host-hand-raised');
    await screenshot(G.page, 'chat-guest-hand-raised');

    await H.page.getByTestId(`lower-${G.id}`).click();
    await row.getByTestId(`hand-${G.id}`).waitFor({ state: 'detached' });
    await G.page.locator('.ant-message').getByText('主持人已将您的手放下').waitFor();
    await until('hand button released', () => G.page.getByTestId('raise-hand').getAttribute('aria-pressed').then((v) => v === 'false'));
    // The guest raises and lowers it from the toolbar too.
    await G.page.getByTestId('raise-hand').click();
    await row.getByTestId(`hand-${G.id}`).waitFor();
    await G.page.getByTestId('raise-hand').click();
    await row.getByTestId(`hand-${G.id}`).waitFor({ state: 'detached' });
    H.assertClean('hands');
    G.assertClean('hands');
  });

  test('messages to everyone reach both sides with names; markup shows as text; unread badge', async () => {
    await openChat(G.page);
    await send(G.page, MARKUP);
    await sees(G.page, '我', MARKUP);
    // The host's chat is closed: the button counts the unread message.
    await until('unread badge', () => H.page.getByTestId('chat-toggle').getAttribute('data-unread').then((v) => v === '1'));
    await H.page.locator('.ant-badge').filter({ has: H.page.getByTestId('chat-toggle') }).locator('.ant-scroll-number').filter({ hasText: '1' }).waitFor();
    await screenshot(H.page, 'chat-host-unread');
    await openChat(H.page);
    await sees(H.page, '访客甲', MARKUP);
    assert.equal(await H.page.getByTestId('chat-panel').locator('img, b').count(), 0, 'the message was rendered as markup');
    assert.equal(await H.page.evaluate(() => window.__pwned), undefined);
    assert.equal(await H.page.getByTestId('chat-toggle').getAttribute('data-unread'), '0');

    await send(H.page, '大家好，会议开始');
    await sees(G.page, '王主持', '大家好，会议开始');
    await sees(H.page, '我', '大家好，会议开始');
    H.assertClean('chat');
    G.assertClean('chat');
  });

  test('a guest who joins later on a phone sees the chat so far', async () => {
    P = await guestJoins(browsers[1], '访客乙', PHONE);
    // Joining later, the chat so far counts as unread.
    await until('unread on the phone', () => P.page.getByTestId('chat-toggle').getAttribute('data-unread').then((v) => v === '2'));
    await screenshot(P.page, 'chat-phone-joined', { fullPage: false });
    await openChat(P.page);
    await sees(P.page, '访客甲', MARKUP);
    await sees(P.page, '王主持', '大家好，会议开始');
    await screenshot(P.page, 'chat-phone-history', { fullPage: false });
    P.assertClean('late join');
  });

  test('a private message reaches the host only; the host answers privately', async () => {
    await send(G.page, '只给主持人看', '主持人（私聊）');
    await sees(H.page, '访客甲', '只给主持人看');
    const priv = H.page.getByTestId('chat-panel').locator('[data-testid="chat-message"][data-private="true"]');
    await priv.filter({ hasText: '私聊·访客甲' }).waitFor();
    await send(H.page, '收到，稍后回复你', '访客甲（私聊）');
    await sees(G.page, '王主持', '收到，稍后回复你');
    await G.page.getByTestId('chat-panel').locator('[data-private="true"]').filter({ hasText: '私聊·主持人' }).first().waitFor();
    // A public message after both: once the phone shows it, it got everything before.
    await send(H.page, '请大家看屏幕');
    await sees(P.page, '王主持', '请大家看屏幕');
    const texts = (await shown(P.page)).map(([, t]) => t);
    assert.ok(!texts.includes('只给主持人看') && !texts.includes('收到，稍后回复你'), `the other guest reads private messages: ${texts}`);
    await screenshot(H.page, 'chat-host-private');
    await screenshot(G.page, 'chat-guest-private');
    H.assertClean('private');
    G.assertClean('private');
    P.assertClean('private');
  });

  test('sending too fast is refused with a clear message; the phone raises a hand', async () => {
    // Ten messages as fast as a person can type and press Enter: five go at once, then one a second.
    const input = P.page.getByTestId('chat-input');
    await input.click();
    const t0 = Date.now();
    for (let i = 1; i <= 10; i++) {
      await P.page.keyboard.insertText(`第 ${i} 条`);
      await P.page.keyboard.press('Enter');
    }
    const took = (Date.now() - t0) / 1000;
    console.log(`the phone pressed Enter 10 times in ${took.toFixed(1)} s`);
    await P.page.locator('.ant-message').getByText('发送太频繁，请稍后再发').first().waitFor();
    await sees(P.page, '我', '第 5 条');
    await sleep(1000);
    const mine = (await shown(P.page)).filter(([f]) => f === '我').length;
    console.log(`${mine} of the 10 messages went`);
    assert.ok(mine >= 5 && mine <= 5 + Math.ceil(took), `the phone sent ${mine} of 10 messages in ${took} s`);
    // Over the limit a message is refused before it is sent.
    await P.page.getByTestId('chat-input').fill('长'.repeat(2001));
    await P.page.getByText('2001/2000').waitFor();
    await P.page.getByTestId('chat-input').press('Enter');
    await P.page.locator('.ant-message').getByText('消息最多 2000 个字，当前 2001 个字').waitFor();
    await P.page.getByTestId('chat-input').fill('');
    await screenshot(P.page, 'chat-phone-chat', { fullPage: false });
    await P.page.locator('.ant-drawer-close').click();
    await P.page.getByTestId('chat-panel').waitFor({ state: 'hidden' });
    await P.page.getByTestId('raise-hand').click();
    await H.page.locator('.ant-message').getByText('访客乙 举手').waitFor();
    await screenshot(P.page, 'chat-phone-room', { fullPage: false });
    await H.page.getByTestId('lower-all-hands').click();
    await until('hand lowered on the phone', () => P.page.getByTestId('raise-hand').getAttribute('aria-pressed').then((v) => v === 'false'));
    P.assertClean('rate limit');
  });

  test('after the meeting, 历史会议 shows its chat and the hands in its log', async () => {
    await H.page.getByTestId('leave').click();
    await H.page.getByRole('button', { name: '结束会议（所有人）' }).click();
    await G.page.getByText('会议已结束').first().waitFor({ timeout: 20_000 });
    await H.page.goto(`${srv.url}/history`);
    await H.page.getByRole('heading', { name: '历史会议' }).waitFor();
    await H.page.getByRole('button', { name: /日志/ }).first().click();
    const dialog = H.page.getByRole('dialog');
    await dialog.getByRole('row').filter({ hasText: '举手' }).first().waitFor();
    await dialog.getByRole('row').filter({ hasText: '手放下' }).filter({ hasText: '王主持' }).first().waitFor();
    await dialog.getByRole('row').filter({ hasText: '全部放下举手' }).waitFor();
    await dialog.getByRole('tab', { name: '聊天记录' }).click();
    const chat = dialog.getByTestId('run-chat');
    await chat.getByText(MARKUP, { exact: true }).waitFor();
    assert.equal(await chat.locator('img, b').count(), 0, 'the history rendered the markup');
    await chat.locator('[data-testid="run-chat-message"]').filter({ hasText: '只给主持人看' }).getByText('私聊·访客甲').waitFor();
    await chat.getByText('请大家看屏幕').waitFor();
    await screenshot(H.page, 'chat-history', { fullPage: false });
    H.assertClean('history');
  });
});
