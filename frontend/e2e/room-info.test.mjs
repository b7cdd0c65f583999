// What a person reads about the meeting from inside the room: the header timer (the
// meeting's duration, the same for everyone), the meeting's number, password and join
// link (copyable). Two Chromium browsers against the real server. Screenshots in
// e2e/artifacts/room-info-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enterRoom, launchBrowser, newPage, screenshot, sleep, startServer } from './harness.mjs';

let srv;
let browser;
let host;
let guest;
let reader;
let meeting;

/** Signs in, opens /join/<number>, joins and waits for the connected room. */
async function enter(who) {
  const p = await newPage(browser, { ignoreConsole: [/Failed to load resource.*favicon/] });
  await p.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  return enterRoom(p, srv.url, who, meeting.number);
}

/** The header timer in seconds ("mm:ss" or "h:mm:ss"). */
async function timerSeconds(page) {
  const text = (await page.locator('.room-timer').textContent()).trim();
  return text.split(':').reduce((s, part) => s * 60 + Number(part), 0);
}

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  host = await srv.createMember({ enterprise: 'info', name: '王主持' });
  guest = await srv.createMember({ enterprise: 'info', name: '李参会' });
  reader = await srv.createMember({ enterprise: 'info', name: 'Anna' });
  const guestId = (await srv.gql('{ me { id } }', {}, guest.token)).me.id;
  const readerId = (await srv.gql('{ me { id } }', {}, reader.token)).me.id;
  const r = await srv.gql(
    'mutation($in: InstantMeetingInput!) { startInstantMeeting(input: $in) { meeting { id number password } } }',
    { in: { name: '产品评审', memberIds: [guestId, readerId] } },
    host.token,
  );
  meeting = r.startInstantMeeting.meeting;
});

after(async () => {
  await browser?.close().catch(() => {});
  await srv?.stop();
});

describe('room info', () => {
  let A;
  let B;

  test('host and guest who joined later show the same meeting duration', async () => {
    A = await enter(host);
    await sleep(6000);
    B = await enter(guest);
    await sleep(1500); // both timers tick at least once after the guest's entry
    const [a, b] = await Promise.all([timerSeconds(A.page), timerSeconds(B.page)]);
    console.log(`header timers at the same moment: host ${a} s, guest ${b} s`);
    assert.ok(a >= 6, `the host's timer counts the meeting from its start (${a} s)`);
    assert.ok(Math.abs(a - b) <= 1, `host ${a} s and guest ${b} s differ by more than 1 s`);
    A.assertClean('timer');
    B.assertClean('timer');
  });

  test('the meeting number, password and join link can be read and copied in the room', async () => {
    for (const [who, P] of [
      ['host', A],
      ['guest', B],
    ]) {
      await P.page.getByRole('button', { name: '会议信息' }).click();
      const info = P.page.getByTestId('meeting-info');
      await info.waitFor();
      const link = `${srv.url}/join/${meeting.number}`;
      await info.getByText('产品评审').waitFor();
      await info.getByTestId('info-number').getByText(meeting.number, { exact: true }).waitFor();
      await info.getByTestId('info-link').getByText(link, { exact: true }).waitFor();
      // Host and invited member may read the meeting: both see its password.
      await info.getByTestId('info-password').getByText(meeting.password, { exact: true }).waitFor();
      await screenshot(P.page, `room-info-${who}`);
      for (const [label, want] of [
        ['复制会议号', meeting.number],
        ['复制入会链接', link],
      ]) {
        await info.getByRole('button', { name: label }).click();
        await P.page.getByText('已复制').first().waitFor();
        assert.equal(await P.page.evaluate(() => navigator.clipboard.readText()), want, `${who}: ${label}`);
      }
      if (who === 'host') {
        await info.getByRole('button', { name: '复制密码' }).click();
        assert.equal(await P.page.evaluate(() => navigator.clipboard.readText()), meeting.password);
        // "Copy all": an invitation text with all three.
        await info.getByRole('button', { name: '复制全部' }).click();
        const all = await P.page.evaluate(() => navigator.clipboard.readText());
        for (const part of ['产品评审', meeting.number, meeting.password, link]) assert.ok(all.includes(part), `copy all holds ${part}: ${all}`);
      }
      await P.page.getByRole('button', { name: '会议信息' }).click();
      await info.waitFor({ state: 'hidden' });
      P.assertClean(`info ${who}`);
    }
  });

  test('an empty pane says it is free, not a black box', async () => {
    const empty = A.page.locator('[data-testid="stage"] [data-pane][data-participant=""]').first();
    await empty.getByText('暂无参会者').waitFor();
    await screenshot(A.page, 'room-info-stage-host');
    A.assertClean('empty panes');
  });

  test('a person who chose English reads the room in English, to the end', async () => {
    const C = await enterRoom(await newPage(browser, { lang: 'en', locale: 'en-US', ignoreConsole: [/Failed to load resource.*favicon/] }), srv.url, reader, meeting.number);
    const { page } = C;
    await page.getByText(`Meeting ${meeting.number}`, { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Meeting info' }).waitFor();
    const bar = page.getByRole('navigation', { name: 'Meeting controls' });
    for (const name of [/^(Mute|Unmute)$/, /^(Stop video|Start video)$/, /^Open whiteboard$/, /^Raise hand$/, /^Open chat$/, /^Participants$/, /^Leave$/]) await bar.getByRole('button', { name }).waitFor();
    await page.getByText('Participants (3)').waitFor();
    await page.getByText('Anna (me)').first().waitFor();
    await page.locator('[data-testid="stage"]').getByText('No one here yet').first().waitFor();
    await screenshot(page, 'room-info-en');
    await page.getByTestId('leave').click();
    const ask = page.getByRole('dialog').filter({ hasText: 'Leave the meeting?' });
    await ask.getByRole('button', { name: 'Leave' }).click();
    const end = page.locator('[data-testid="room-ended"][data-reason="left"]');
    await end.getByText('You left the meeting').waitFor({ timeout: 15_000 });
    await end.getByText('You were in the meeting').waitFor();
    await screenshot(page, 'room-info-en-left');
    C.assertClean('english');
    await C.context.close();
  });

  test('when the host ends the meeting, both see a summary of it', async () => {
    await A.page.getByTestId('leave').click();
    await A.page.getByRole('button', { name: '结束会议（所有人）' }).click();
    const secs = (text) => text.trim().split(':').reduce((s, part) => s * 60 + Number(part), 0);
    const seen = {};
    for (const [who, P] of [
      ['host', A],
      ['guest', B],
    ]) {
      const end = P.page.locator('[data-testid="room-ended"][data-reason="meetingEnded"]');
      await end.waitFor({ timeout: 15_000 });
      await end.getByText('会议已结束').waitFor();
      await end.getByText('产品评审').waitFor();
      const summary = end.getByTestId('room-summary');
      await summary.getByText(meeting.number, { exact: true }).waitFor();
      seen[who] = { stay: secs(await summary.getByTestId('summary-stay').textContent()), total: secs(await summary.getByTestId('summary-total').textContent()) };
      // Not a warning: the meeting ended as meetings do.
      assert.equal(await end.locator('.ant-result-warning').count(), 0, `${who}: no warning icon`);
      await end.getByRole('button', { name: '返回首页' }).waitFor();
      await screenshot(P.page, `room-info-ended-${who}`);
      P.assertClean(`ended ${who}`);
    }
    console.log(`summary: ${JSON.stringify(seen)}`);
    assert.ok(Math.abs(seen.host.total - seen.guest.total) <= 1, 'both show the same meeting duration');
    assert.ok(seen.host.stay - seen.guest.stay >= 5, 'the guest, who came 6 s later, was in the meeting for less time');
    assert.ok(seen.host.total >= seen.host.stay, 'the meeting lasted at least as long as the host was in it');
  });
});
