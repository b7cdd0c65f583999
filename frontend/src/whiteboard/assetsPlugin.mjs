// A Vite plugin that serves Excalidraw's fonts from this origin at /excalidraw-assets/
// (dev server) and copies them into the build (web/dist/excalidraw-assets/fonts), so
// the whiteboard works without any CDN. Used by frontend/vite.config.ts.
import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, resolve } from 'node:path';

const PREFIX = '/excalidraw-assets/';
// `urls.push(new URL(rel, ExcalidrawFontFace.ASSETS_FALLBACK_URL))` (minified or not).
const FALLBACK_PUSH = /[\w$]+\.push\(\s*new URL\(\s*[\w$]+\s*,\s*[\w$]+\.ASSETS_FALLBACK_URL\s*\)\s*\)\s*[,;]/g;

function fontsDir(root) {
  const require = createRequire(join(root, 'package.json'));
  // The package's main file is dist/prod/index.js; its fonts sit beside it.
  return join(dirname(require.resolve('@excalidraw/excalidraw')), 'fonts');
}

export function excalidrawAssets() {
  let root = process.cwd();
  let outDir = 'dist';
  return {
    name: 'excalidraw-assets',
    configResolved(cfg) {
      root = cfg.root;
      outDir = resolve(cfg.root, cfg.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!req.url?.startsWith(PREFIX + 'fonts/')) return next();
        const dir = fontsDir(root);
        const rel = normalize(decodeURIComponent(req.url.slice(PREFIX.length + 'fonts/'.length).split('?')[0]));
        const file = join(dir, rel);
        if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('Content-Type', file.endsWith('.woff2') ? 'font/woff2' : 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
    // Excalidraw adds a public CDN after our own URL in every font's src list; the
    // app's Content-Security-Policy (font-src 'self') refuses it and Chromium logs a
    // violation for each. Drop the CDN: the fonts are served from this origin.
    transform(code, id) {
      if (!id.includes('@excalidraw') || !code.includes('ASSETS_FALLBACK_URL')) return null;
      const out = code.replace(FALLBACK_PUSH, '');
      return out === code ? null : { code: out, map: null };
    },
    writeBundle() {
      cpSync(fontsDir(root), join(outDir, 'excalidraw-assets', 'fonts'), { recursive: true });
    },
  };
}

/**
 * Whether a module is loaded with the page: reachable from an entry through static
 * imports only. The build keeps the vendor chunk to such modules, so that Excalidraw
 * and what only it uses stay in the whiteboard's lazy chunks.
 */
export function loadedEagerly(id, getModuleInfo, memo = new Map()) {
  const seen = new Set();
  const walk = (m) => {
    if (memo.has(m)) return memo.get(m);
    if (seen.has(m)) return false;
    seen.add(m);
    const info = getModuleInfo(m);
    if (!info) return false;
    if (info.isEntry) return true;
    for (const imp of info.importers ?? []) {
      if (walk(imp)) {
        memo.set(m, true);
        return true;
      }
    }
    return false;
  };
  const r = walk(id);
  memo.set(id, r);
  return r;
}
