import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Served by the platform at /app/ (src/api/web-app.ts); assets are content-hashed under /app/assets/.
// `npm run dev` proxies the API to a platform started with `npm start` on port 3000.
const API = ['/auth', '/me', '/users', '/trials', '/audit', '/jobs', '/health', '/openapi.yaml'];

export default defineConfig({
  base: '/app/',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: Object.fromEntries(API.map((p) => [p, 'http://localhost:3000'])) },
});
