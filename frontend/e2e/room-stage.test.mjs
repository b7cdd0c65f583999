// Issue 11, item 7 ("the room") and item 1's open part, walked as people do: a screen
// share and the whiteboard shown to everyone take the main pane on every side unless
// the host pinned someone there; the room on a phone uses the screen. Host and guest
// on 1440x900 desktops, a third member on an iPhone-sized touch screen (390x844).
// Screenshots in e2e/artifacts/room-stage-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enterRoom, launchBrowser, newPage, screenshot, sleep, startServer, until } from './harness.mjs';

let srv;
let browser;
let host;
let guest;
let phone;
let meeting;

const desktop = { width: 1440, height: 900 };
/** An iPhone-like context, as playwright's device list describes one (Chromium engine). */
const iphone = {
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
};

/** Signs in, opens /join/<number>, joins and waits for the connected room. */
async function enter(who, { viewport = desktop, device } = {}) {
  const p = await newPage(browser, { viewport, device, timeoutMs: 30_000, ignoreConsole: [/Failed to load resource.*favicon/] });
  return enterRoom(p, srv.url, who, meeting.number);
}

/** What every pane of page's stage shows, with its size on screen, by pane index. */
const stagePanes = (page) =>
  page.$$eval('[data-testid="stage"] [data-pane]', (els) =>
    els
      .map((e) => {
        const r = e.getBoundingClientRect();
        return { pane: Number(e.dataset.pane), participant: e.dataset.participant ?? '', source: e.dataset.source, w: Math.round(r.width), h: Math.round(r.height) };
      })
      .sort((a, b) => a.pane - b.pane),
  );

/** Checks that pane 0 shows what `want` says and is no smaller than any other pane. */
async function mainPaneShows(P, want, what) {
  const sel = `[data-testid="stage"] [data-pane="0"][data-source="${want.source}"]${want.participant ? `[data-participant="${want.participant}"]` : ''}`;
  await P.page.locator(sel).waitFor({ timeout: 20_000 });
  const panes = await stagePanes(P.page);
  const main = panes.find((p) => p.pane === 0);
  // Panes of one grid differ by a pixel or two where the grid lines round.
  for (const p of panes) assert.ok(main.w >= p.w - 2 && main.h >= p.h - 2, `${what}: the main pane (${main.w}x${main.h}) is smaller than pane ${p.pane} (${p.w}x${p.h})`);
  return panes;
}

/**
 * Picks a layout from the host's toolbar, as the host does, and waits until the host's
 * stage shows it. On a loaded machine a click can get lost while the menu animates
 * (the item is clicked but its handler never runs): then the menu is opened again.
 */
async function pickLayout(page, label, mode) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.getByTestId('layout-picker').click();
      await page.getByRole('menuitem', { name: label, exact: true }).click({ timeout: 10_000 });
      await page.locator(`[data-testid="stage"][data-mode="${mode}"]`).waitFor({ timeout: 10_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      console.log(`# pickLayout ${label}: attempt ${attempt} did not take (${String(e.message).split('\n')[0]}); again`);
      await page.keyboard.press('Escape');
      await sleep(500);
    }
  }
}

/** The live elements Excalidraw draws on page. */
const liveScene = (page) => page.evaluate(() => window.__jstBoard.scene().filter((e) => !e.isDeleted));

/** Drags a rectangle on the board inside `scope` between two points given as fractions of its canvas. */
async function drawRectangle(page, scope, [x0, y0], [x1, y1]) {
  await page.locator(`${scope} [data-testid="whiteboard"] [data-testid="toolbar-rectangle"]`).click({ force: true });
  const box = await page.locator(`${scope} [data-testid="whiteboard"] canvas.interactive`).boundingBox();
  await page.mouse.move(box.x + box.width * x0, box.y + box.height * y0);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * x1, box.y + box.height * y1, { steps: 20 });
  await page.mouse.up();
}

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  host = await srv.createMember({ enterprise: 'stage', name: '王主持' });
  guest = await srv.createMember({ enterprise: 'stage', name: '李参会' });
  phone = await srv.createMember({ enterprise: 'stage', name: '张手机' });
  const ids = [];
  for (const m of [guest, phone]) ids.push((await srv.gql('{ me { id } }', {}, m.token)).me.id);
  const r = await srv.gql(
    'mutation($in: InstantMeetingInput!) { startInstantMeeting(input: $in) { meeting { id number password } } }',
    { in: { name: '方案评审', memberIds: ids } },
    host.token,
  );
  meeting = r.startInstantMeeting.meeting;
});

after(async () => {
  await browser?.close().catch(() => {});
  await srv?.stop();
});

describe('the stage', () => {
  let A; // host, desktop
  let B; // guest, desktop
  let C; // invited member on a phone

  test('a screen share takes the main pane for everyone, in every layout, the camera still shown', async () => {
    A = await enter(host);
    B = await enter(guest);
    await B.page.getByRole('button', { name: '共享屏幕' }).click();
    for (const [mode, label] of [
      ['ONE_PLUS_SEVEN', '1+7'],
      ['GRID_2X2', '四分屏'],
      ['ONE_PLUS_TWENTY_ONE', '1+21'],
      ['TWO_PLUS_TWENTY_ONE', '2+21'],
      ['SINGLE', '单画面'],
    ]) {
      if (mode !== 'ONE_PLUS_SEVEN') await pickLayout(A.page, label, mode); // 1+7 is the meeting's first layout
      for (const [who, P] of [
        ['host', A],
        ['guest', B],
      ]) {
        await P.page.locator(`[data-testid="stage"][data-mode="${mode}"]`).waitFor();
        const panes = await mainPaneShows(P, { participant: B.id, source: 'screen' }, `${mode} ${who}`);
        if (mode !== 'SINGLE') {
          assert.ok(panes.some((p) => p.participant === B.id && p.source === 'camera'), `${mode} ${who}: the sharer's camera is shown too: ${JSON.stringify(panes)}`);
        }
      }
      const screen = A.page.locator('[data-testid="stage"] [data-pane="0"][data-source="screen"] video');
      await until(`${mode}: the screen share plays on the host`, () => screen.evaluate((v) => v.videoWidth > 0));
      if (mode === 'GRID_2X2' || mode === 'ONE_PLUS_SEVEN') await screenshot(A.page, `room-stage-share-${mode.toLowerCase()}-host`);
    }
    await pickLayout(A.page, '1+7', 'ONE_PLUS_SEVEN');
    await B.page.locator('[data-testid="stage"][data-mode="ONE_PLUS_SEVEN"]').waitFor();
    A.assertClean('share');
    B.assertClean('share');
  });

  test('the host pins someone to the main pane: the pin wins over the screen share', async () => {
    await A.page.getByTestId(`actions-${A.id}`).click();
    await A.page.getByRole('menuitem', { name: '固定到画面' }).hover();
    await A.page.getByRole('menuitem', { name: '固定到第 1 格' }).click();
    for (const P of [A, B]) {
      await mainPaneShows(P, { participant: A.id, source: 'camera' }, 'pinned');
      await P.page.locator(`[data-testid="stage"] [data-pane="1"][data-participant="${B.id}"][data-source="screen"]`).waitFor();
    }
    await screenshot(B.page, 'room-stage-pinned-guest');
    await A.page.getByTestId(`actions-${A.id}`).click();
    await A.page.getByRole('menuitem', { name: '取消固定' }).click();
    for (const P of [A, B]) await mainPaneShows(P, { participant: B.id, source: 'screen' }, 'unpinned');
    await B.page.getByRole('button', { name: '停止共享' }).click();
    for (const P of [A, B]) await P.page.locator('[data-testid="stage"] [data-source="screen"]').waitFor({ state: 'detached', timeout: 20_000 });
    A.assertClean('pin');
    B.assertClean('pin');
  });

  test('the room on a phone: the stage fills the screen, one\'s own camera plays, one-line hint, no screen share', async () => {
    C = await enter(phone, { viewport: { width: 390, height: 844 }, device: iphone });
    // The host mutes everyone: the phone's notice must fit a phone's width.
    await A.page.getByTestId('mute-all').click();
    const hint = C.page.getByTestId('muted-by-host');
    await hint.waitFor();
    await until('everyone on the phone\'s stage', async () => (await stagePanes(C.page)).filter((p) => p.participant).length === 3);
    const self = C.page.locator('[data-testid="stage"] [data-self="true"][data-source="camera"] video');
    await until('one\'s own camera playing on the phone', () => self.evaluate((v) => v.videoWidth > 0 && !v.paused && getComputedStyle(v).visibility === 'visible'));
    await sleep(500);
    await screenshot(C.page, 'room-stage-phone', { fullPage: false });

    const m = await C.page.evaluate(() => {
      const box = (el) => {
        const r = el.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
      };
      const alert = document.querySelector('[data-testid="muted-by-host"]');
      const text = alert.querySelector('.ant-alert-message');
      const lh = parseFloat(getComputedStyle(text).lineHeight);
      const stage = document.querySelector('[data-testid="stage"]');
      const bar = document.querySelector('.room-toolbar');
      const buttons = [...bar.querySelectorAll('button')].filter((b) => b.offsetParent).map(box);
      const panes = [...stage.querySelectorAll('[data-pane]')].map(box);
      const selfVideo = stage.querySelector('[data-self="true"] video');
      return {
        vw: window.innerWidth,
        vh: window.innerHeight,
        hint: { ...box(text), lineHeight: lh, description: !!alert.querySelector('.ant-alert-description'), text: alert.textContent },
        stage: box(stage),
        bar: box(bar),
        buttons,
        panes,
        self: selfVideo ? { ...box(selfVideo), videoWidth: selfVideo.videoWidth } : null,
        scrollW: document.documentElement.scrollWidth,
      };
    });
    console.log(`phone: ${JSON.stringify({ hint: m.hint, stage: m.stage, bar: m.bar, self: m.self, panes: m.panes.length })}`);
    // The notice about the host's mute is one line.
    assert.ok(m.hint.height <= m.hint.lineHeight * 1.2, `the mute notice wraps: ${m.hint.height}px for a line of ${m.hint.lineHeight}px ("${m.hint.text}")`);
    assert.equal(m.hint.description, false, 'no second paragraph on a phone');
    // Nothing wider than the screen; the toolbar is one row inside it.
    assert.ok(m.scrollW <= m.vw, `the page is ${m.scrollW}px wide on a ${m.vw}px screen`);
    for (const b of m.buttons) assert.ok(b.left >= 0 && b.right <= m.vw && b.bottom <= m.vh, `a toolbar button outside the screen: ${JSON.stringify(b)}`);
    assert.equal(new Set(m.buttons.map((b) => Math.round(b.top))).size, 1, `the toolbar wraps: ${JSON.stringify(m.buttons.map((b) => b.top))}`);
    // The stage uses the screen down to the toolbar: no empty half.
    const lastPane = Math.max(...m.panes.map((p) => p.bottom));
    assert.ok(m.bar.top - lastPane <= 24, `${Math.round(m.bar.top - lastPane)}px empty between the panes (end ${Math.round(lastPane)}) and the toolbar (${Math.round(m.bar.top)})`);
    // One's own camera is on screen and playing.
    assert.ok(m.self && m.self.videoWidth > 0 && m.self.top >= 0 && m.self.bottom <= m.bar.top + 1, `own camera: ${JSON.stringify(m.self)}`);
    // A phone browser cannot share its screen: no button that would fail.
    assert.equal(await C.page.getByRole('button', { name: '共享屏幕' }).count(), 0, 'a screen-share button on a phone');
    C.assertClean('phone');
  });

  test('the host shows the whiteboard to everyone: the main pane is the board on every side, drawings cross', async () => {
    await A.page.getByTestId('whiteboard-toggle').click();
    // The others are told (a message that goes after a few seconds: watched from the click on).
    const told = [
      ['guest', B],
      ['phone', C],
    ].map(([who, P]) =>
      P.page
        .locator('.ant-message')
        .getByText('白板已向所有人展示')
        .waitFor({ timeout: 30_000 })
        .catch(async (e) => {
          await screenshot(P.page, `FAIL-room-stage-board-told-${who}`, { settleMs: 0 }).catch(() => {});
          throw new Error(`${who} was not told: ${e.message}`);
        }),
    );
    await A.page.getByTestId('whiteboard').getByRole('button', { name: '向所有人展示' }).click();
    await Promise.all(told);
    for (const [who, P] of [
      ['host', A],
      ['guest', B],
      ['phone', C],
    ]) {
      await mainPaneShows(P, { source: 'whiteboard' }, `board ${who}`);
      await P.page.locator('[data-testid="stage"] [data-pane="0"] [data-testid="whiteboard"] canvas').first().waitFor({ timeout: 30_000 });
      // One board per page: the stage's, no side panel beside it.
      assert.equal(await P.page.getByTestId('whiteboard').count(), 1, `${who}: one whiteboard`);
    }
    await until('the board synced on the guest', () => B.page.locator('[data-testid="whiteboard"]').getByText('正在同步').count().then((n) => n === 0));

    await drawRectangle(A.page, '[data-testid="stage"] [data-pane="0"]', [0.15, 0.2], [0.5, 0.6]);
    await until('the host\'s rectangle on the guest\'s and the phone\'s board', async () => (await liveScene(B.page)).length === 1 && (await liveScene(C.page)).length === 1);
    await drawRectangle(B.page, '[data-testid="stage"] [data-pane="0"]', [0.55, 0.3], [0.85, 0.8]);
    await until('the guest\'s rectangle on the host\'s board', async () => (await liveScene(A.page)).length === 2);
    await sleep(500);
    await screenshot(A.page, 'room-stage-board-host');
    await screenshot(B.page, 'room-stage-board-guest');
    await screenshot(C.page, 'room-stage-board-phone', { fullPage: false });

    // The host puts the panes back.
    await A.page.getByRole('button', { name: '停止展示白板' }).click();
    for (const P of [A, B, C]) {
      await P.page.locator('[data-testid="stage"] [data-source="whiteboard"]').waitFor({ state: 'detached', timeout: 20_000 });
      await P.page.locator('[data-testid="stage"] [data-pane="0"][data-source="camera"]').waitFor();
    }
    A.assertClean('board');
    B.assertClean('board');
    C.assertClean('board');
  });
});
