/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server proxies the API to a running `make run` (SKAILAN_API, default :3000).
const api = process.env.SKAILAN_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ['/v1', '/config.json', '/_local', '/public'].map((path) => [path, { target: api, ws: true }]),
    ),
  },
  build: { outDir: 'dist', sourcemap: false, assetsDir: 'assets', chunkSizeWarningLimit: 600 },
  test: {
    environment: 'jsdom',
    globals: false,
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // a shared, loaded machine: user-event typing can exceed the 5 s default
    testTimeout: 30_000,
  },
});
