// Builds the app into web/dist: index.html plus content-hashed files under /assets/ (which the
// gateway may cache for good; index.html it serves with Cache-Control: no-cache). No source maps:
// the sources are not published (the gateway also refuses *.map).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npm run dev`: the API comes from a running gateway (TODO_GATEWAY_URL, default :8080).
    proxy: {
      '/v1': { target: process.env.TODO_GATEWAY_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
      '/.well-known': { target: process.env.TODO_GATEWAY_URL ?? 'http://127.0.0.1:8080' },
    },
  },
});
