// @ts-check
import node from '@astrojs/node';
import { defineConfig, envField } from 'astro/config';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone', bodySizeLimit: 256 * 1024 }),
  // The origin check lives in src/middleware.ts: Astro's own covers form content types only,
  // ours refuses every cross-site unsafe request whatever its content type.
  security: { checkOrigin: false },
  devToolbar: { enabled: false },
  build: { inlineStylesheets: 'never' },
  env: {
    validateSecrets: true,
    schema: {
      DATABASE_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      PUBLIC_ORIGIN: envField.string({ context: 'server', access: 'public', optional: true }),
      LOG_LEVEL: envField.enum({
        context: 'server',
        access: 'public',
        values: ['fatal', 'error', 'warn', 'info', 'debug', 'silent'],
        default: 'info',
      }),
    },
  },
});
