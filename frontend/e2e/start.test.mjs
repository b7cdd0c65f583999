// Issue 11, items 4 and 5, walked as a person does: a host starts a meeting booked
// for tomorrow from its page; a guest who came first is told the host has not
// started it and when it is booked; in the room the host mutes the guest, turns on
// 允许参会者自行解除静音, and the guest unmutes themself and is heard again.
// Screenshots in e2e/artifacts/start-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, login, newPage, screenshot, sleep, startServer, until } from './harness.mjs';

let srv;
let srv2; // keeps a window: --early-start 30m
const browsers = [];
let host;
let meeting;
/** The booked start, as the app writes it for zh-CN in Asia/Shanghai (YYYY-MM-DD HH:mm). */
let startText;
let start;
const shanghai = (d) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d);
const password = '135790';

before(async () => {
  srv = await startServer();
  host = await srv.createMember({ enterprise: 'start', name: '王主持' });
  // Tomorrow, on a whole five minutes: a meeting booked well ahead of now.
  start = new Date(Math.ceil((Date.now() + 26 * 3600_000) / 300_000) * 300_000);
  const r = await srv.gql(
    'mutation($in: BookMeetingInput!) { bookMeeting(input: $in) { id number } }',
    { in: { name: '明日评审会', start: start.toISOString(), participants: 5, password } },
    host.token,
  );
  meeting = r.bookMeeting;
  startText = shanghai(start);
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  await srv?.stop();
  await srv2?.stop();
});

const stats = (page) => page.evaluate(() => window.__jstRoom.inboundStats());

describe('starting a booked meeting early, and self-unmute', () => {
  let A; // the host
  let G; // a guest without an account

  test('a guest who comes before the host is told it has not started and when it is booked, and waits', async () => {
    const b = await launchBrowser();
    browsers.push(b);
    G = await newPage(b, { ignoreConsole: [/Failed to load resource/] });
    await G.page.goto(`${srv.url}/join/${meeting.number}`);
    await G.page.getByLabel('会议密码').fill(password);
    await G.page.getByLabel('您的名称').fill('访客赵');
    await G.page.getByRole('button', { name: /加入会议/ }).click();
    const waiting = G.page.getByRole('status').filter({ hasText: '主持人尚未开始会议' });
    await waiting.waitFor();
    const text = await waiting.innerText();
    assert.ok(text.includes(startText), `the guest is not told when the meeting is booked (${startText}): ${text}`);
    assert.ok(text.includes('自动进入'), `the guest is not told they will enter by themself: ${text}`);
    assert.ok(!text.includes('不在进行时间内'), text);
    assert.equal(await G.page.getByRole('alert').count(), 0, 'waiting for the host is not an error');
    // It keeps asking without being throttled: still waiting (not "too many attempts") after several rounds.
    await sleep(9_000);
    assert.equal(await waiting.count(), 1, 'the guest stopped waiting');
    assert.equal(await G.page.getByRole('alert').count(), 0, 'the waiting guest got an error');
    await screenshot(G.page, 'start-guest-before-host');
  });

  test('the host opens the meeting booked for tomorrow and starts it from its page', async () => {
    const b = await launchBrowser();
    browsers.push(b);
    A = await newPage(b, { ignoreConsole: [/Failed to load resource.*favicon/] });
    await login(A.page, srv.url, host.email, host.password);
    await A.page.goto(`${srv.url}/meetings/${meeting.id}`);
    await A.page.getByText('明日评审会').first().waitFor();
    await A.page.getByText(startText).first().waitFor();
    await screenshot(A.page, 'start-meeting-page');
    await A.page.getByRole('button', { name: '开始会议' }).click();
    await A.page.waitForURL(new RegExp(`/join/${meeting.number}`));
    await A.page.getByRole('button', { name: /加入会议/ }).click();
    await A.page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 30_000 });
    A.id = await A.page.locator('[data-testid="room"]').getAttribute('data-participant-id');
    await screenshot(A.page, 'start-host-room');
    A.assertClean('host started');
  });

  test('the waiting guest enters by themself once the host has started', async () => {
    await G.page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 30_000 });
    G.id = await G.page.locator('[data-testid="room"]').getAttribute('data-participant-id');
    await A.page.locator(`[data-testid="roster"] li[data-participant="${G.id}"]`).filter({ hasText: '访客赵' }).waitFor();
    // The guest speaks (the fake microphone): the host receives it.
    const audioIn = async () => (await stats(A.page)).filter((s) => s.participantId === G.id && s.kind === 'audio').reduce((n, s) => n + s.packetsReceived, 0);
    const a0 = await until('guest audio arrives', audioIn);
    await until('guest audio flowing', async () => (await audioIn()) > a0 + 10, 10_000);
  });

  test('host-muted, the guest may unmute themself once the host turns on 允许参会者自行解除静音', async () => {
    const audioIn = async () => (await stats(A.page)).filter((s) => s.participantId === G.id && s.kind === 'audio').reduce((n, s) => n + s.packetsReceived, 0);
    const hostRow = A.page.locator(`[data-testid="roster"] li[data-participant="${G.id}"]`);
    const selfUnmute = A.page.getByRole('switch', { name: '允许参会者自行解除静音' });
    // The switch shows the meeting's setting: off.
    assert.equal(await selfUnmute.getAttribute('aria-checked'), 'false');

    await A.page.getByTestId(`actions-${G.id}`).click();
    await A.page.getByRole('menuitem', { name: '静音' }).click();
    await G.page.getByTestId('muted-by-host').filter({ hasText: '您暂时不能自行解除静音' }).waitFor();
    await hostRow.locator('.host-muted').waitFor();

    // With the switch off, the guest's own unmute is refused and they are told.
    await G.page.getByTestId('mic').click();
    await G.page.getByText('主持人已将您静音，暂时不能自行解除静音').waitFor();
    await until('mic stays muted', () => G.page.getByTestId('mic').getAttribute('aria-pressed').then((v) => v === 'false'));
    await screenshot(G.page, 'start-guest-muted-refused');

    // The host turns on the switch: the guest is told they may unmute; nobody is unmuted by it.
    await selfUnmute.click();
    await until('switch on', () => selfUnmute.getAttribute('aria-checked').then((v) => v === 'true'));
    await G.page.getByTestId('muted-by-host').filter({ hasText: '您可以自行解除静音' }).waitFor();
    assert.equal(await hostRow.locator('.host-muted').count(), 1);
    await screenshot(A.page, 'start-host-self-unmute-on');
    await screenshot(G.page, 'start-guest-may-unmute');

    await sleep(1000); // packets in flight before the mute took hold
    const m0 = await audioIn();
    await G.page.getByTestId('mic').click();
    await until('mic on', () => G.page.getByTestId('mic').getAttribute('aria-pressed').then((v) => v === 'true'));
    await G.page.getByTestId('muted-by-host').waitFor({ state: 'detached' });
    // The host's view: no mute icon on the guest, and the guest's audio arrives again.
    await until('guest unmuted on the host\'s roster', async () => (await hostRow.locator('.host-muted, .muted').count()) === 0);
    await until('guest heard again', async () => (await audioIn()) > m0 + 20, 10_000);
    await screenshot(A.page, 'start-host-guest-unmuted');
    await screenshot(G.page, 'start-guest-unmuted');
    A.assertClean('self-unmute');
    G.assertClean('self-unmute');
  });

  test('a server that keeps a window: the meeting page and the refusal say from when', async () => {
    srv2 = await startServer({ args: ['--early-start', '30m'] });
    const h = await srv2.createMember({ enterprise: 'window', name: '陈主持' });
    const r = await srv2.gql('mutation($in: BookMeetingInput!) { bookMeeting(input: $in) { id number } }', { in: { name: '窗口评审会', start: start.toISOString(), participants: 3 } }, h.token);
    const fromText = shanghai(new Date(start.getTime() - 30 * 60_000));
    const H = await newPage(browsers[1], { ignoreConsole: [/Failed to load resource/] });
    await login(H.page, srv2.url, h.email, h.password);
    await H.page.goto(`${srv2.url}/meetings/${r.bookMeeting.id}`);
    await H.page.getByTestId('startable-from').filter({ hasText: `主持人可从 ${fromText} 起开始会议` }).waitFor();
    await screenshot(H.page, 'start-window-meeting-page');
    await H.page.getByRole('button', { name: '开始会议' }).click();
    await H.page.waitForURL(new RegExp(`/join/${r.bookMeeting.number}`));
    await H.page.getByRole('button', { name: /加入会议/ }).click();
    await H.page.getByRole('alert').filter({ hasText: `会议预定于 ${startText} 开始，主持人可从 ${fromText} 起开始会议` }).waitFor();
    await screenshot(H.page, 'start-window-join-refused');
    H.assertClean('window');
    await H.context.close();
  });
});
