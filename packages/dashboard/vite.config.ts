// Builds the dashboard into dist/: one HTML page and hashed assets, no CDN, served by @syncbus/admin.
import { defineConfig } from 'vite';

export default defineConfig({
  // Served under /syncbus/admin/; relative asset URLs keep the build independent of that prefix.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 200 },
});
