// @ts-check

import { fileURLToPath } from 'node:url';
import node from '@astrojs/node';
import { defineConfig, envField } from 'astro/config';

/**
 * Astro asks for a page's module on every request (`() => import("…")`), and Node resolves the
 * already-loaded module again each time: about 6% of a small page's cost in a profile. Each
 * loader keeps its first promise instead. Should Astro's generated code change shape, nothing is
 * rewritten and the build says so.
 * @returns {import('vite').Plugin}
 */
function memoizedPageLoaders() {
  return {
    name: 'zhenxin:memoized-page-loaders',
    enforce: 'post',
    transform(code, id) {
      if (id !== '\0virtual:astro:pages') return;
      let count = 0;
      const rewritten = code.replace(/const (_page\d+) = \(\) => import\(("[^"]+")\);/g, (_, name, specifier) => {
        count++;
        return `let ${name}$loaded; const ${name} = () => (${name}$loaded ??= import(${specifier}));`;
      });
      // (an environment without server-rendered pages has no loaders at all)
      if (count === 0 && code.includes('import('))
        this.warn('page loaders not memoized: pages are imported per request');
      return { code: rewritten, map: null };
    },
  };
}

/**
 * Builds the embeddable widget (src/widget) into the client output as /widget/v1.js: one ES
 * module, minified, no dependencies, for lenders' pages (CONTRACT.md "Widget").
 * @returns {import('astro').AstroIntegration}
 */
function widgetBundle() {
  /** @type {URL} */
  let client;
  return {
    name: 'zhenxin:widget',
    hooks: {
      'astro:config:done': ({ config }) => {
        client = config.build.client;
      },
      'astro:build:done': async ({ logger }) => {
        const { build } = await import('esbuild');
        const outfile = fileURLToPath(new URL('widget/v1.js', client));
        await build({
          entryPoints: [fileURLToPath(new URL('./src/widget/verify-element.ts', import.meta.url))],
          bundle: true,
          format: 'esm',
          minify: true,
          target: ['es2022', 'chrome100', 'safari15.4'],
          legalComments: 'none',
          outfile,
        });
        logger.info(`widget built: ${outfile}`);
      },
    },
  };
}

export default defineConfig({
  output: 'server',
  // Middleware mode: scripts/serve.ts is the HTTP server (static files from memory, then the app).
  // The ceiling: scripts/serve.ts holds every body to 256 KB but a bulk-import upload's (50 MB).
  adapter: node({ mode: 'middleware', bodySizeLimit: 51 * 1024 * 1024 }),
  // The origin check lives in src/middleware.ts: Astro's own covers form content types only,
  // ours refuses every cross-site unsafe request whatever its content type.
  security: { checkOrigin: false },
  devToolbar: { enabled: false },
  // No page uses astro:assets: no image service at all, so nothing loads an optimizer. Astro still
  // adds its /_image route (and /_server-islands/…); src/middleware.ts answers both with 404.
  image: { service: { entrypoint: 'astro/assets/services/noop' } },
  vite: { plugins: [memoizedPageLoaders()] },
  integrations: [widgetBundle()],
  build: { inlineStylesheets: 'never' },
  env: {
    // Every variable is read when the server starts, not baked into the build ("secret" access),
    // so one build serves every environment.
    validateSecrets: true,
    schema: {
      DATABASE_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      PUBLIC_ORIGIN: envField.string({ context: 'server', access: 'secret', optional: true }),
      // SMS provider (see .env.example): dev (default), twilio or aliyun, and their secrets.
      SMS_PROVIDER: envField.enum({
        context: 'server',
        access: 'secret',
        values: ['dev', 'twilio', 'aliyun'],
        default: 'dev',
      }),
      SMS_TIMEOUT_MS: envField.number({ context: 'server', access: 'secret', optional: true }),
      TWILIO_ACCOUNT_SID: envField.string({ context: 'server', access: 'secret', optional: true }),
      TWILIO_AUTH_TOKEN: envField.string({ context: 'server', access: 'secret', optional: true }),
      TWILIO_FROM: envField.string({ context: 'server', access: 'secret', optional: true }),
      TWILIO_BASE_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      TWILIO_STATUS_CALLBACK_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      TWILIO_INCOMING_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      ALIYUN_ACCESS_KEY_ID: envField.string({ context: 'server', access: 'secret', optional: true }),
      ALIYUN_ACCESS_KEY_SECRET: envField.string({ context: 'server', access: 'secret', optional: true }),
      ALIYUN_SIGN_NAME: envField.string({ context: 'server', access: 'secret', optional: true }),
      ALIYUN_TEMPLATE_CODES: envField.string({ context: 'server', access: 'secret', optional: true }),
      ALIYUN_ENDPOINT: envField.string({ context: 'server', access: 'secret', optional: true }),
      ALIYUN_RECEIPT_SECRET: envField.string({ context: 'server', access: 'secret', optional: true }),
      DEV_SMS_DELAY_MS: envField.number({ context: 'server', access: 'secret', optional: true }),
      // Checks per minute per client on /r/<token>, /verify and POST /api/v1/verify (default 30).
      PUBLIC_CHECKS_PER_MINUTE: envField.number({
        context: 'server',
        access: 'secret',
        optional: true,
        int: true,
        gt: 0,
      }),
      // Lender API requests per minute per API key (default 1200); then 429 with Retry-After.
      LENDER_API_REQUESTS_PER_MINUTE: envField.number({
        context: 'server',
        access: 'secret',
        optional: true,
        int: true,
        gt: 0,
      }),
      LOG_LEVEL: envField.enum({
        context: 'server',
        access: 'secret',
        values: ['fatal', 'error', 'warn', 'info', 'debug', 'silent'],
        default: 'info',
      }),
    },
  },
});
