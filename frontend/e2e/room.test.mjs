// The meeting room in two Chromium browsers with fake camera and microphone, against
// the real server (loopback-only ICE). Screenshots in e2e/artifacts/room-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enterRoom, launchBrowser, login, newPage, screenshot, sleep, startServer, until } from './harness.mjs';

let srv;
let browsers = [];
let host;
let guest;
let outsider; // a member of the enterprise who is not invited
let meeting;
/** The mid of the host's m-line that carried the guest's screen share (reused later). */
let screenMid;
/** The mids of the host's m-lines that carried the removed guest's tracks (reused by the next one). */
let outsiderMids;

/** Signs in, opens /join/<number>, joins and waits for the connected room. */
async function enter(who) {
  const b = await launchBrowser();
  browsers.push(b);
  const p = await newPage(b, { ignoreConsole: [/Failed to load resource.*favicon/] });
  return enterRoom(p, srv.url, who, meeting.number);
}

const stats = (page) => page.evaluate(() => window.__jstRoom.inboundStats());

/** Waits until page decodes video frames of participant's camera; returns the mid of the m-line carrying it. */
async function cameraFlows(page, participantId) {
  const video = page.locator(`[data-testid="stage"] [data-participant="${participantId}"][data-source="camera"] video`);
  await video.waitFor({ timeout: 20_000 });
  await until('remote video playing', () => video.evaluate((v) => v.videoWidth > 0 && !v.paused));
  const cam = async () => (await stats(page)).filter((s) => s.participantId === participantId && s.kind === 'video' && s.source === 'camera');
  const frames = async () => (await cam()).reduce((n, s) => n + s.framesDecoded, 0);
  const f0 = await until('frames decoded', frames);
  await until('frames still rising', async () => (await frames()) > f0 + 10, 10_000);
  return (await cam())[0].mid;
}

/** The pane → participant mapping a page draws. */
const panes = (page) =>
  page.$$eval('[data-testid="stage"] [data-pane]', (els) => els.map((e) => [Number(e.dataset.pane), e.dataset.participant, e.dataset.source]).sort((a, b) => a[0] - b[0]));

// ---- whiteboard (the board test and the saved-board test) ----

/** The run of the meeting whose whiteboard the board test draws; its board is checked once saved. */
let boardRunId;
/** The live elements both browsers showed at the end of the board test. */
let boardAtEnd;

/** The live elements Excalidraw draws on page (its scene, read through the board's read-only hook). */
const liveScene = (page) => page.evaluate(() => window.__jstBoard.scene().filter((e) => !e.isDeleted));

/** What a person would compare of an element: kind, place, size, every point. */
const shape = (e) => ({ id: e.id, type: e.type, x: e.x, y: e.y, width: e.width, height: e.height, points: e.points ?? null, version: e.version });

/** One line per element: kind, points, size and version, for failure messages and the log. */
const describeScene = (els) => els.map((e) => `${e.type} ${e.points ? `${e.points.length} points ` : ''}${Math.round(e.width)}x${Math.round(e.height)} v${e.version}`).join('; ');

/** Picks an Excalidraw tool from the toolbar, as a person clicks it. */
async function pickTool(page, tool) {
  await page.locator(`[data-testid="whiteboard"] [data-testid="toolbar-${tool}"]`).click({ force: true });
}

/** The drawing canvas of the board on page. */
const boardBox = (page) => page.locator('[data-testid="whiteboard"] canvas.interactive').boundingBox();

/** Drags a rectangle between two points given as fractions of the canvas. */
async function drawRectangle(page, [x0, y0], [x1, y1]) {
  await pickTool(page, 'rectangle');
  const box = await boardBox(page);
  await page.mouse.move(box.x + box.width * x0, box.y + box.height * y0);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * x1, box.y + box.height * y1, { steps: 25 });
  await page.mouse.up();
}

/** Draws a freehand sine wave of n pointer moves from (x0, y0), len wide and amp high (fractions of the canvas). */
async function drawWave(page, [x0, y0], len, amp, n) {
  await pickTool(page, 'freedraw');
  const box = await boardBox(page);
  const at = (i) => [box.x + box.width * (x0 + (len * i) / n), box.y + box.height * (y0 + amp * Math.sin((i / n) * 4 * Math.PI))];
  await page.mouse.move(...at(0));
  await page.mouse.down();
  for (let i = 1; i <= n; i++) {
    await page.mouse.move(...at(i));
    await sleep(8);
  }
  await page.mouse.up();
}

/** Waits until both browsers draw the same live elements, point for point; fails with both sides' numbers. */
async function sameBoards(what, P, Q) {
  let last = '';
  try {
    await until(`the same board on both sides (${what})`, async () => {
      const [a, b] = await Promise.all([liveScene(P.page), liveScene(Q.page)]);
      last = `host: ${describeScene(a)} | guest: ${describeScene(b)}`;
      const key = (els) => JSON.stringify(els.map(shape).sort((x, y) => (x.id < y.id ? -1 : 1)));
      return a.length > 0 && key(a) === key(b);
    }, 15_000);
  } catch (e) {
    await screenshot(P.page, 'room-whiteboard-mismatch-host');
    await screenshot(Q.page, 'room-whiteboard-mismatch-guest');
    throw new Error(`${e.message}\n${last}`);
  }
}

before(async () => {
  srv = await startServer();
  host = await srv.createMember({ enterprise: 'room', name: '王主持' });
  guest = await srv.createMember({ enterprise: 'room', name: '李参会' });
  outsider = await srv.createMember({ enterprise: 'room', name: '周旁听' });
  const guestId = (await srv.gql('{ me { id } }', {}, guest.token)).me.id;
  const r = await srv.gql(
    'mutation($in: InstantMeetingInput!) { startInstantMeeting(input: $in) { meeting { id number password } } }',
    { in: { name: '项目周会', memberIds: [guestId] } },
    host.token,
  );
  meeting = r.startInstantMeeting.meeting;
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  await srv?.stop();
});

describe('meeting room', () => {
  let A; // host
  let B; // invited member

  test('two browsers see and hear each other', async () => {
    A = await enter(host);
    B = await enter(guest);
    for (const [me, other] of [
      [A, B],
      [B, A],
    ]) {
      const video = me.page.locator(`[data-testid="stage"] [data-participant="${other.id}"][data-source="camera"] video`);
      await video.waitFor({ timeout: 20_000 });
      await until('remote video playing', () => video.evaluate((v) => v.videoWidth > 0 && !v.paused));
      const frames = async () => (await stats(me.page)).filter((s) => s.participantId === other.id && s.kind === 'video').reduce((n, s) => n + s.framesDecoded, 0);
      const f0 = await until('frames decoded', frames);
      await until('frames still rising', async () => (await frames()) > f0 + 10, 10_000);
    }
    await until('both on the roster', () => A.page.locator('[data-testid="roster"] li').count().then((n) => n === 2));
    await screenshot(A.page, 'room-host');
    await screenshot(B.page, 'room-guest');
    A.assertClean('host joined');
    B.assertClean('guest joined');
  });

  test('the host mutes the guest: the guest is told, the audio stops', async () => {
    const audioIn = async () => (await stats(A.page)).filter((s) => s.participantId === B.id && s.kind === 'audio').reduce((n, s) => n + s.packetsReceived, 0);
    const a0 = await until('guest audio arrives', audioIn);
    await until('guest audio flowing', async () => (await audioIn()) > a0 + 10, 10_000);
    await A.page.getByTestId(`actions-${B.id}`).click();
    await A.page.getByRole('menuitem', { name: '静音' }).click();
    await B.page.getByTestId('muted-by-host').filter({ hasText: '主持人已将您静音' }).waitFor();
    await until('mic button shows muted', () => B.page.getByTestId('mic').getAttribute('aria-pressed').then((v) => v === 'false'));
    // The roster and the pane show it on the host's side.
    await A.page.locator(`[data-testid="roster"] li[data-participant="${B.id}"] .host-muted`).waitFor();
    await sleep(1000); // packets in flight
    const m0 = await audioIn();
    await sleep(2500);
    const m1 = await audioIn();
    assert.ok(m1 - m0 <= 2, `host still receives the guest's audio after the mute: ${m0} → ${m1}`);
    await screenshot(B.page, 'room-guest-muted');
    A.assertClean('mute');
    B.assertClean('mute');
  });

  test('the host picks a layout and both browsers draw the same panes', async () => {
    for (const [mode, label, count] of [
      ['GRID_2X2', '四分屏', 4],
      ['ONE_PLUS_SEVEN', '1+7', 8],
    ]) {
      await A.page.getByTestId('layout-picker').click();
      await A.page.getByRole('menuitem', { name: label, exact: true }).click();
      for (const p of [A, B]) {
        await p.page.locator(`[data-testid="stage"][data-mode="${mode}"]`).waitFor();
        assert.equal(await p.page.locator('[data-testid="stage"] [data-pane]').count(), count);
      }
      const a = await panes(A.page);
      const b = await until('same mapping', async () => {
        const x = await panes(B.page);
        return JSON.stringify(x) === JSON.stringify(a) ? x : null;
      });
      assert.deepEqual(b, a);
      const shown = a.filter(([, pid]) => pid).map(([, pid]) => pid).sort();
      assert.deepEqual(shown, [A.id, B.id].sort());
    }
    // The big pane of 1+7 spans 3x3 of the 4x4 grid.
    const area = await A.page.locator('[data-testid="stage"] [data-pane="0"]').evaluate((e) => [e.style.gridColumn, e.style.gridRow]);
    assert.deepEqual(area, ['1 / span 3', '1 / span 3']);
    await screenshot(A.page, 'room-1plus7-host');
    await screenshot(B.page, 'room-1plus7-guest');
    A.assertClean('layout');
    B.assertClean('layout');
  });

  test('whiteboard: a long freehand wave and a large rectangle reach the other browser whole, both ways', async () => {
    const openBoard = async (p) => {
      await p.page.getByTestId('whiteboard-toggle').click();
      await p.page.locator('[data-testid="whiteboard"] canvas').first().waitFor({ timeout: 30_000 });
      await until('board synced', () => p.page.locator('[data-testid="whiteboard"]').getByText('正在同步').count().then((n) => n === 0));
    };
    await openBoard(A);
    const run = await srv.gql('query($id:ID!){ meeting(id:$id) { runInProgress { id } } }', { id: meeting.id }, host.token);
    boardRunId = run.meeting.runInProgress.id;

    // The host draws a rectangle over a third of the canvas and a wave of 80 pointer moves.
    await drawRectangle(A.page, [0.08, 0.12], [0.45, 0.55]);
    // The guest, whose board is closed, is told that the host is using it.
    await B.page.locator('.ant-message').getByText('王主持 正在使用白板').waitFor({ timeout: 10_000 });
    await screenshot(B.page, 'room-whiteboard-notice-guest');
    await drawWave(A.page, [0.5, 0.35], 0.4, 0.12, 80);
    const fromA = await liveScene(A.page);
    assert.equal(fromA.length, 2, `the host's board: ${describeScene(fromA)}`);
    const waveA = fromA.find((e) => e.type === 'freedraw');
    const rectA = fromA.find((e) => e.type === 'rectangle');
    assert.ok(waveA.points.length >= 60, `the wave has ${waveA.points.length} points on the host's board`);
    assert.ok(rectA.width >= 200 && rectA.height >= 150, `the rectangle is ${rectA.width}x${rectA.height} on the host's board`);
    boardAtEnd = fromA; // what the saved board is held to, should the rest fail

    // The whiteboard button stays marked until the guest opens the board.
    await B.page.locator('[data-testid="whiteboard-toggle"][data-activity="true"]').waitFor();
    await openBoard(B);
    assert.equal(await B.page.getByTestId('whiteboard-toggle').getAttribute('data-activity'), null);
    await sameBoards('host → guest', A, B);

    // The guest draws below: both directions.
    await drawRectangle(B.page, [0.1, 0.62], [0.4, 0.92]);
    await drawWave(B.page, [0.5, 0.78], 0.4, 0.08, 70);
    await sameBoards('guest → host', A, B);
    const all = await liveScene(A.page);
    assert.equal(all.length, 4, describeScene(all));
    boardAtEnd = all;
    console.log(`whiteboard: ${describeScene(all)}`);
    await screenshot(A.page, 'room-whiteboard-host');
    await screenshot(B.page, 'room-whiteboard-guest');
    A.assertClean('whiteboard');
    B.assertClean('whiteboard');
  });

  test('the guest shares a screen: content in the big pane, the camera still shown', async () => {
    await B.page.getByRole('button', { name: '共享屏幕' }).click();
    for (const p of [A, B]) {
      await p.page.locator(`[data-testid="stage"] [data-pane="0"][data-participant="${B.id}"][data-source="screen"]`).waitFor({ timeout: 20_000 });
      await p.page.locator(`[data-testid="stage"] [data-participant="${B.id}"][data-source="camera"]`).waitFor();
    }
    const screen = A.page.locator(`[data-testid="stage"] [data-pane="0"][data-source="screen"] video`);
    await until('screen share playing', () => screen.evaluate((v) => v.videoWidth > 0));
    screenMid = (await stats(A.page)).find((s) => s.participantId === B.id && s.source === 'screen')?.mid;
    assert.ok(screenMid, 'the screen share has an m-line on the host');
    await screenshot(A.page, 'room-screen-share-host');
    await B.page.getByRole('button', { name: '停止共享' }).click();
    await A.page.locator('[data-testid="stage"] [data-source="screen"]').waitFor({ state: 'detached', timeout: 20_000 });
    A.assertClean('screen share');
    B.assertClean('screen share');
  });

  test('after a signaling drop the guest resumes as the same participant', async () => {
    const before = B.id;
    const frames = async () => (await stats(A.page)).filter((s) => s.participantId === before && s.kind === 'video').reduce((n, s) => n + s.framesDecoded, 0);
    const seq0 = await B.page.evaluate(() => window.__jstRoom.liveSeq());
    // The client closes the socket with 4100: the server keeps the participant for the
    // window and tells the others at once.
    await B.page.evaluate(() => window.__jstRoom.simulateDrop());
    await A.page.getByText('李参会 网络中断，正在重连').waitFor({ timeout: 10_000 });
    await B.page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 20_000 });
    assert.equal(await B.page.locator('[data-testid="room"]').getAttribute('data-participant-id'), before);
    await A.page.getByText('李参会 已恢复连接').waitFor({ timeout: 10_000 });
    // A full state came after the resume.
    await until('live state after the resume', () => B.page.evaluate((s) => window.__jstRoom.liveSeq() > s, seq0));
    const f0 = await frames();
    await until('video flows again after the resume', async () => (await frames()) > f0 + 10, 15_000);
    // Still one participant on the host's roster, not a leave and a join.
    assert.equal(await A.page.locator('[data-testid="roster"] li').count(), 2);
    A.assertClean('resume');
    B.assertClean('resume');
  });

  test('a guest without an account: the meeting state over /rtc, the host\'s controls, removed by the host', async () => {
    const G = await newPage(browsers[1]);
    await G.page.goto(`${srv.url}/join/${meeting.number}`);
    await G.page.getByLabel('会议密码').fill(meeting.password);
    await G.page.getByLabel('您的名称').fill('访客赵');
    await G.page.getByRole('switch', { name: '入会时开启麦克风' }).click(); // joins muted
    await G.page.getByRole('button', { name: /加入会议/ }).click();
    await G.page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 30_000 });
    const gid = await G.page.locator('[data-testid="room"]').getAttribute('data-participant-id');

    // The roster with names and roles, as the host sees it.
    const roster = G.page.locator('[data-testid="roster"]');
    await roster.locator(`li[data-participant="${A.id}"]`).filter({ hasText: '王主持' }).filter({ hasText: '主持人' }).waitFor();
    await roster.locator(`li[data-participant="${B.id}"]`).filter({ hasText: '李参会' }).waitFor();
    await roster.locator(`li[data-participant="${gid}"]`).filter({ hasText: '访客赵' }).waitFor();
    // The stage is the server's assignment: the same panes as the host's, with names.
    await until('the same stage as the host', async () => JSON.stringify(await panes(G.page)) === JSON.stringify(await panes(A.page)));
    assert.deepEqual((await panes(G.page)).filter(([, pid]) => pid).map(([, pid]) => pid).sort(), [A.id, B.id, gid].sort());
    await G.page.locator(`[data-testid="stage"] [data-participant="${A.id}"] .pane-name`).filter({ hasText: '王主持' }).waitFor();
    // The guest's camera reaches the host on the m-line the screen share left free
    // (docs/rtc-protocol.md §1: m-lines are reused), and the host's reaches the guest.
    assert.equal(await cameraFlows(A.page, gid), screenMid, 'the guest\'s camera reuses the screen share\'s m-line');
    await cameraFlows(G.page, A.id);
    await screenshot(A.page, 'room-host-guest-reused-mline');

    // The microphone was published muted: self-muted on the host's roster from the
    // start, and no mute message was needed.
    await until('the guest\'s microphone arrives', async () => (await stats(A.page)).some((s) => s.participantId === gid && s.kind === 'audio'));
    const guestMids = (await stats(A.page)).filter((s) => s.participantId === gid).map((s) => s.mid).sort();
    assert.equal(guestMids.length, 2);
    await A.page.locator(`[data-testid="roster"] li[data-participant="${gid}"] .muted`).waitFor();
    assert.equal((await G.page.evaluate(() => window.__jstRoom.sent())).mute, undefined);
    assert.equal(await G.page.getByTestId('mic').getAttribute('aria-pressed'), 'false');
    await screenshot(G.page, 'room-guest-no-account');

    // The host locks the meeting: the guest sees the lock and is told; then unlocks.
    await A.page.locator('[data-testid="roster"]').getByRole('button', { name: '锁定会议' }).click();
    await G.page.locator('.room-status').getByText('会议已锁定', { exact: true }).waitFor();
    await G.page.getByText('会议已锁定，新参会者无法加入').waitFor();
    await screenshot(G.page, 'room-guest-locked');
    await A.page.locator('[data-testid="roster"]').getByRole('button', { name: '解锁会议' }).click();
    await G.page.locator('.room-status').getByText('会议已锁定', { exact: true }).waitFor({ state: 'detached' });
    await G.page.getByText('会议已解锁').waitFor();

    // The host asks the guest to unmute: asked, the guest agrees, the host sees it.
    await A.page.getByTestId(`actions-${gid}`).click();
    await A.page.getByRole('menuitem', { name: '请求解除静音' }).click();
    const ask = G.page.getByRole('dialog').filter({ hasText: '主持人请您解除静音' });
    await ask.waitFor();
    await ask.getByRole('button', { name: '解除静音' }).click();
    await until('guest unmuted on the host\'s roster', async () => (await A.page.locator(`[data-testid="roster"] li[data-participant="${gid}"] .muted`).count()) === 0);
    assert.equal(await G.page.getByTestId('mic').getAttribute('aria-pressed'), 'true');

    // Removed: the notice, then bye.
    await A.page.getByTestId(`actions-${gid}`).click();
    await A.page.getByRole('menuitem', { name: '移出会议' }).click();
    await A.page.getByRole('dialog').getByRole('button', { name: '移出会议' }).click();
    await G.page.locator('[data-testid="room-ended"][data-reason="removed"]').waitFor({ timeout: 15_000 });
    await A.page.locator(`[data-testid="roster"] li[data-participant="${gid}"]`).waitFor({ state: 'detached' });
    G.assertClean('guest');
    A.assertClean('guest');
    await G.context.close();
    outsiderMids = guestMids;
  });

  test('a member who is not invited joins by number and password and sees the meeting', async () => {
    const M = await newPage(browsers[0]);
    await login(M.page, srv.url, outsider.email, outsider.password);
    await M.page.goto(`${srv.url}/join/${meeting.number}`);
    await M.page.getByLabel('会议密码').fill(meeting.password);
    await M.page.getByRole('button', { name: /加入会议/ }).click();
    await M.page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 30_000 });
    const mid = await M.page.locator('[data-testid="room"]').getAttribute('data-participant-id');
    await M.page.locator(`[data-testid="roster"] li[data-participant="${A.id}"]`).filter({ hasText: '王主持' }).waitFor();
    await M.page.locator(`[data-testid="roster"] li[data-participant="${mid}"]`).filter({ hasText: '周旁听' }).waitFor();
    await until('the same stage as the host', async () => JSON.stringify(await panes(M.page)) === JSON.stringify(await panes(A.page)));
    // The host receives the newcomer on the m-lines the removed guest's tracks had:
    // the same receiver tracks now belong to another participant.
    await cameraFlows(A.page, mid);
    await until('the newcomer on the guest\'s m-lines', async () => {
      const s = await stats(A.page);
      const mids = s.filter((x) => x.participantId === mid).map((x) => x.mid).sort();
      return JSON.stringify(mids) === JSON.stringify(outsiderMids) && !s.some((x) => x.participantId !== mid && outsiderMids.includes(x.mid));
    });
    await M.page.getByTestId('leave').click();
    await M.page.getByRole('dialog').getByRole('button', { name: '离开会议' }).click();
    await M.page.locator('[data-testid="room-ended"][data-reason="left"]').waitFor();
    await A.page.locator(`[data-testid="roster"] li[data-participant="${mid}"]`).waitFor({ state: 'detached' });
    M.assertClean('outsider');
    await M.context.close();
  });

  test('the room on a phone-sized screen', async () => {
    await B.page.getByTestId('whiteboard-toggle').click();
    await B.page.setViewportSize({ width: 390, height: 844 });
    await sleep(500);
    await screenshot(B.page, 'room-phone', { fullPage: false });
    B.assertClean('phone');
  });

  test('the host ends the meeting for everyone', async () => {
    await A.page.getByTestId('leave').click();
    await A.page.getByRole('button', { name: '结束会议（所有人）' }).click();
    for (const p of [A, B]) await p.page.locator('[data-testid="room-ended"][data-reason="meetingEnded"]').waitFor({ timeout: 15_000 });
    await screenshot(B.page, 'room-ended-guest');
    A.assertClean('end');
    B.assertClean('end');
  });

  test('the saved whiteboard holds every stroke whole', async () => {
    assert.ok(boardRunId && boardAtEnd, 'the board test ran');
    const wb = await until('the whiteboard saved with the meeting', async () => (await srv.gql('query($id:ID!){ meetingRun(id:$id) { whiteboard { scene elements } } }', { id: boardRunId }, host.token)).meetingRun.whiteboard);
    const saved = JSON.parse(wb.scene).elements.filter((e) => !e.isDeleted);
    console.log(`saved whiteboard: ${describeScene(saved)}`);
    assert.equal(wb.elements, boardAtEnd.length);
    const key = (els) => els.map(shape).sort((x, y) => (x.id < y.id ? -1 : 1));
    assert.deepEqual(key(saved), key(boardAtEnd), `saved: ${describeScene(saved)} | drawn: ${describeScene(boardAtEnd)}`);
  });
});
