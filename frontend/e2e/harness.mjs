// End-to-end harness: the real binary on 127.0.0.1 with a temporary data folder,
// and Debian's Chromium driven by playwright-core. Run the suites inside the
// loopback-only network namespace (`make e2e` does: scripts/netns-run).
//
// Reusable by other suites (two browsers in a meeting, …):
//   const srv = await startServer();           // srv.url, srv.admin, srv.gql(), srv.stop()
//   const browser = await launchBrowser();     // a fresh Chromium (fresh profile) per call
//   const { page, errors } = await newPage(browser);   // zh-CN, console errors collected
//   await login(page, srv.url, email, password);
//   await screenshot(page, 'name');            // e2e/artifacts/name.png
//   const member = await srv.createMember({ enterprise: 'acme' }); // API set-up without the UI
// A second participant: `await newPage(browser)` (another context: separate cookies)
// or `await launchBrowser()` again (another Chromium instance).

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { deflateSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const artifactsDir = join(here, 'artifacts');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Chromium flags (shared/TOOLING.md): fake camera and microphone, loopback ICE, and
 * the quiet set that keeps Chromium off the network. Playwright adds --headless and
 * a fresh temporary --user-data-dir for every launch.
 */
export const chromiumArgs = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--lang=zh-CN',
];

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Waits ms milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts bin/jishitong serve on 127.0.0.1 with a temporary data folder and the given
 * platform admin; resolves when /readyz answers 200. Options: bin, admin {email,
 * password}, args (extra flags), env, readyTimeoutMs.
 */
export async function startServer(opts = {}) {
  const bin = opts.bin ?? process.env.JISHITONG_BIN ?? join(repoRoot, 'bin/jishitong');
  const admin = opts.admin ?? { email: 'admin@e2e.test', password: 'e2e-admin-password-1' };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const data = mkdtempSync(join(tmpdir(), 'jst-e2e-'));
  const logs = [];
  const child = spawn(
    bin,
    ['serve', '--http', `127.0.0.1:${port}`, '--data', data, '--public-url', url, '--rtc-loopback-only', '--log-level', 'warn', ...(opts.args ?? [])],
    {
      env: { ...process.env, JISHITONG_ADMIN_EMAIL: admin.email, JISHITONG_ADMIN_PASSWORD: admin.password, ...(opts.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (b) => {
    logs.push(b.toString());
    if (logs.length > 500) logs.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((r) => child.on('exit', (code, sig) => r((exited = { code, sig }))));

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`jishitong exited (${JSON.stringify(exited)}) before it was ready:\n${logs.join('')}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`jishitong not ready after ${opts.readyTimeoutMs ?? 60_000} ms:\n${logs.join('')}`);
    }
    await sleep(100);
  }

  const srv = {
    url,
    admin,
    data,
    logs,
    /** Runs a GraphQL operation, as `token`'s account when given; throws on errors. */
    async gql(query, variables = {}, token) {
      const r = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = await r.json();
      if (body.errors?.length) {
        const e = new Error(`GraphQL: ${body.errors.map((x) => `${x.extensions?.code}: ${x.message}`).join('; ')}`);
        e.errors = body.errors;
        throw e;
      }
      return body.data;
    },
    /** Signs in over the API and returns the session token. */
    async token(email, password) {
      const d = await srv.gql('mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}', { e: email, p: password });
      return d.login.token;
    },
    /** The platform admin's token. */
    adminToken() {
      return srv.token(admin.email, admin.password);
    },
    /**
     * Creates an enterprise (by code) with an admin, or reuses one; then, unless
     * role is ENTERPRISE_ADMIN, a member. Returns { email, password, enterpriseId, token }.
     */
    async createMember({ enterprise = 'e2e', name = '测试成员', email, password = 'member-password-1', role = 'MEMBER', quota = 100 } = {}) {
      const root = await srv.adminToken();
      const found = await srv.gql('query($s:String){enterprises(search:$s){edges{node{id code}}}}', { s: enterprise }, root);
      let ent = found.enterprises.edges.map((e) => e.node).find((n) => n.code === enterprise);
      const adminEmail = `admin@${enterprise}.e2e.test`;
      if (!ent) {
        const c = await srv.gql(
          'mutation($in:CreateEnterpriseInput!){createEnterprise(input:$in){id code}}',
          { in: { name: `${enterprise} 企业`, code: enterprise, quota } },
          root,
        );
        ent = c.createEnterprise;
        await srv.gql(
          'mutation($id:ID!,$in:NewMemberInput!){createEnterpriseAdmin(enterpriseId:$id,input:$in){member{id}}}',
          { id: ent.id, in: { name: `${enterprise} 管理员`, email: adminEmail, password: 'ent-admin-password-1' } },
          root,
        );
      }
      if (role === 'ENTERPRISE_ADMIN' && !email) {
        return { email: adminEmail, password: 'ent-admin-password-1', enterpriseId: ent.id, token: await srv.token(adminEmail, 'ent-admin-password-1') };
      }
      const adminToken = await srv.token(adminEmail, 'ent-admin-password-1');
      const addr = email ?? `m${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}@${enterprise}.e2e.test`;
      await srv.gql('mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}', { in: { name, email: addr, password, role } }, adminToken);
      return { email: addr, password, enterpriseId: ent.id, token: await srv.token(addr, password) };
    },
    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its data. */
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(t);
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
  return srv;
}

/** Launches a fresh headless Chromium (a new temporary profile each time). */
export async function launchBrowser(opts = {}) {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...(opts.args ?? [])],
    timeout: 60_000,
  });
}

/**
 * Opens a page in a new browser context (own cookies and storage). The page's
 * console errors, uncaught exceptions and failed requests are collected in
 * `errors`; `assertClean()` throws when there are any. Options: locale (zh-CN),
 * viewport, lang ('zh-CN' | 'en': the app's saved language), device (more context
 * options, e.g. a phone's { isMobile, hasTouch, userAgent, deviceScaleFactor }).
 */
export async function newPage(browser, opts = {}) {
  const locale = opts.locale ?? 'zh-CN';
  const context = await browser.newContext({
    locale,
    timezoneId: opts.timezoneId ?? 'Asia/Shanghai',
    viewport: opts.viewport ?? { width: 1366, height: 860 },
    deviceScaleFactor: 1,
    permissions: ['camera', 'microphone'],
    acceptDownloads: true,
    ...(opts.device ?? {}),
  });
  if (opts.lang) await context.addInitScript((l) => localStorage.setItem('jst.lang', l), opts.lang);
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeoutMs ?? 15_000);
  const errors = [];
  const ignore = opts.ignoreConsole ?? [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (ignore.some((re) => re.test(text))) return;
    errors.push(`console: ${text}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return {
    page,
    context,
    errors,
    assertClean(what = '') {
      if (errors.length) throw new Error(`browser errors${what ? ` (${what})` : ''}:\n${errors.join('\n')}`);
    },
  };
}

/** Signs in through the login page and waits until the app shows the signed-in frame. */
export async function login(page, url, email, password) {
  await page.goto(`${url}/login`);
  await page.getByLabel(/邮箱|Email/).fill(email);
  await page.getByLabel(/^(密码|Password)$/).fill(password);
  await page.getByRole('button', { name: /登\s*录|Sign in/ }).click();
  await page.getByRole('button', { name: /账号菜单|Account menu/ }).waitFor();
}

/**
 * Signs who in on p (from newPage), opens /join/<number>, joins as a person does and
 * waits for the connected room; sets p.id to their participant ID and returns p.
 */
export async function enterRoom(p, url, who, number) {
  await login(p.page, url, who.email, who.password);
  await p.page.goto(`${url}/join/${number}`);
  await p.page.getByRole('button', { name: /加入会议|Join/ }).click();
  await p.page.locator('[data-testid="room"][data-state="connected"]').waitFor({ timeout: 30_000 });
  p.id = await p.page.locator('[data-testid="room"]').getAttribute('data-participant-id');
  return p;
}

/** Signs out through the account menu. */
export async function logout(page) {
  await page.getByRole('button', { name: /账号菜单|Account menu/ }).click();
  await page.getByRole('menuitem', { name: /退出登录|Sign out/ }).click();
  const dialog = page.getByRole('dialog').filter({ hasText: /确定退出登录|Sign out now/ });
  const ok = dialog.getByRole('button', { name: /退出登录|Sign out/ });
  await ok.click();
  // A click landing while the dialog still opens can be lost on a loaded machine.
  await page.waitForURL(/\/login/, { timeout: 5000 }).catch(async () => {
    if (await ok.isVisible()) await ok.click();
    await page.waitForURL(/\/login/);
  });
}

/** Saves a full-page PNG under e2e/artifacts/ and returns its path. */
export async function screenshot(page, name, opts = {}) {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  // Let antd's transitions and lazy chunks settle.
  await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => {});
  // A full-page capture of a scrolled page repeats the sticky header mid-page.
  if (opts.fullPage ?? true) await page.evaluate(() => window.scrollTo(0, 0)).catch(() => {});
  await sleep(opts.settleMs ?? 400);
  await page.screenshot({ path, fullPage: opts.fullPage ?? true });
  return path;
}

/**
 * Runs fn with a fresh page (see newPage); on failure saves FAIL-<name>.png and the
 * browser errors before rethrowing; on success checks that the browser logged no
 * errors. The context is closed either way.
 */
export async function withPage(browser, name, opts, fn) {
  const p = await newPage(browser, opts);
  try {
    await fn(p);
    p.assertClean(name);
  } catch (e) {
    await screenshot(p.page, `FAIL-${name.replace(/[^\w-]+/g, '_')}`, { settleMs: 0 }).catch(() => {});
    if (p.errors.length) e.message += `\nbrowser errors:\n${p.errors.join('\n')}`;
    throw e;
  } finally {
    await p.context.close();
  }
}

/** A solid-colour PNG (RGB, 8 bits), for logo uploads. */
export function solidPNG(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}


/** Polls fn until it returns a truthy value (or throws after ms). */
export async function until(what, fn, ms = 20_000, every = 250) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await sleep(every);
  }
}
