import { defineConfig } from 'vite';

// The designer is served by the Waymark server itself (packages/server/src/routes/webApp.ts), so
// the build is plain static files under dist/. `npm run dev -w @waymark/web` proxies the API to a
// running `npm start` on port 8080.
export default defineConfig(({ command, mode }) => ({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  // A build is React's production build even when NODE_ENV says otherwise (vitest sets "test" for
  // the tests that build the app): the development build is larger and runs effects twice.
  define: command === 'build' && mode !== 'development' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rolldownOptions: {
      // @xyflow/react marks itself "use client" for server-component bundlers; meaningless here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
}));
