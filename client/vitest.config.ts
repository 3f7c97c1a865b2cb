import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The client's own unit tests (API and realtime clients, form rules). They run in
// Node against real loopback servers; browser behaviour is covered in test/e2e/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Keep Vite's cache with the repository's node_modules rather than a stray client/node_modules.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/client', import.meta.url)),
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
