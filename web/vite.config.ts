import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The console is served by the service at /console/ (src/modules/console): hashed assets under
// /console/assets/, index.html for every other path (deep links).
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, reportCompressedSize: false },
  // The service in development: `npm run start:dev` beside `npx vite` in web/.
  server: { proxy: { '/v1': 'http://localhost:8080' } },
  test: { environment: 'jsdom', include: ['src/**/*.test.tsx', 'src/**/*.test.ts'] },
});
