import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// The API server that `npm start` runs; the dev server forwards to it so the
// SPA talks to the same origin in development as it does in production.
const apiOrigin = 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [solid()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Pages are split by route (App.tsx); past Vite's 500 kB default is only hls.js (578 kB,
    // 180 kB gzip), which the watch and recordings players load when they play.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': { target: apiOrigin },
      '/healthz': { target: apiOrigin },
      '/ws': { target: apiOrigin, ws: true },
    },
  },
});
