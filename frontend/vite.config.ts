import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { excalidrawAssets, loadedEagerly } from './src/whiteboard/assetsPlugin.mjs';

// The server the dev server proxies to (`make run` listens on :8080).
const backend = process.env.JISHITONG_BACKEND ?? 'http://127.0.0.1:8080';
const outDir = resolve(import.meta.dirname, '../web/dist');
const eager = new Map<string, boolean>();

export default defineConfig({
  plugins: [
    react(),
    excalidrawAssets(),
    {
      // web/dist/.keep is committed so that `go build` works before the front end is
      // built; emptying the output folder removes it, so put it back.
      name: 'keep-placeholder',
      apply: 'build',
      closeBundle() {
        writeFileSync(resolve(outDir, '.keep'), '');
      },
    },
  ],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      output: {
        manualChunks(id, meta) {
          // The whiteboard (Excalidraw) loads when opened: keep it out of the vendor chunk.
          if (id.includes('node_modules') && meta?.getModuleInfo && !loadedEagerly(id, meta.getModuleInfo, eager)) return undefined;
          if (id.includes('node_modules')) {
            if (/[\\/](antd|@ant-design|rc-[^\\/]+|@rc-component)[\\/]/.test(id)) return 'antd';
            if (/[\\/](react|react-dom|scheduler|react-router)[\\/]/.test(id)) return 'react';
            return 'vendor';
          }
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: {
      // The session cookie is honoured only on same-origin requests: present the
      // proxied requests as coming from the backend's own origin.
      '/graphql': { target: backend, ws: true, changeOrigin: true, headers: { origin: backend } },
      '/api': { target: backend, changeOrigin: true },
      '/branding': { target: backend, changeOrigin: true },
      '/rtc': { target: backend, ws: true, changeOrigin: true, headers: { origin: backend } },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
