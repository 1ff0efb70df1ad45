// @ts-check

import { fileURLToPath } from 'node:url';
import node from '@astrojs/node';
import { defineConfig, envField } from 'astro/config';
import { CSP_DIRECTIVES } from './src/server/security-headers.ts';

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
 * With `security.csp`, Astro hashes every inline style and script of a page on every request
 * (WebCrypto's SHA-256 over the whole inlined stylesheet, through the thread pool): a tenth of a
 * page's time in a profile, for the same few texts each time. Each digest is kept (a promise per
 * algorithm and text, at most 1,024 texts, so a server island's changing content cannot grow it
 * without bound). Should Astro's code change shape, nothing is rewritten and the build says so.
 * @returns {import('vite').Plugin}
 */
function memoizedCspDigests() {
  const original = 'async function generateCspDigest(data, algorithm) {';
  return {
    name: 'zhenxin:memoized-csp-digests',
    apply: 'build',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/astro/dist/core/encryption.js')) return;
      if (!code.includes(original)) {
        this.warn('CSP digests not memoized: every inline style is hashed on every request');
        return;
      }
      const memo = `const cspDigests$memo = new Map();
let cspDigests$count = 0;
function generateCspDigest(data, algorithm) {
  let byText = cspDigests$memo.get(algorithm);
  if (!byText) cspDigests$memo.set(algorithm, (byText = new Map()));
  let digest = byText.get(data);
  if (!digest) {
    digest = generateCspDigest$computed(data, algorithm);
    if (cspDigests$count < 1024) {
      cspDigests$count++;
      byText.set(data, digest);
    }
  }
  return digest;
}
async function generateCspDigest$computed(data, algorithm) {`;
      return { code: code.replace(original, memo), map: null };
    },
  };
}

const ROUTER_SOURCE = fileURLToPath(new URL('./src/server/router.ts', import.meta.url));
const PAGE_CACHE_SOURCE = fileURLToPath(new URL('./src/server/page-cache.ts', import.meta.url));

/**
 * The JSON API router (src/server/router.ts) is built with the server, as dist/server/api.mjs
 * beside entry.mjs, so it shares the server's modules (astro:env, the database connection, the
 * lender cache) instead of holding copies; scripts/serve.ts calls it before Astro's pipeline. The
 * page cache (src/server/page-cache.ts, dist/server/page-cache.mjs) likewise, so that a lender
 * changed through a page is seen by it at once.
 * @returns {import('vite').Plugin}
 */
function apiRouterEntry() {
  const source = ROUTER_SOURCE;
  return {
    name: 'zhenxin:api-router-entry',
    apply: 'build',
    buildStart() {
      if (this.environment?.name !== 'ssr') return;
      this.emitFile({ type: 'chunk', id: source, fileName: 'api.mjs', preserveSignature: 'strict' });
      this.emitFile({ type: 'chunk', id: PAGE_CACHE_SOURCE, fileName: 'page-cache.mjs', preserveSignature: 'strict' });
    },
  };
}

/**
 * In `astro dev` the same router answers /api/… ahead of Astro's pages, loaded through Vite's
 * server-side module runner (so edits apply without a restart).
 * @returns {import('astro').AstroIntegration}
 */
function apiRouterInDev() {
  return {
    name: 'zhenxin:api-router-dev',
    hooks: {
      'astro:server:setup': ({ server }) => {
        server.middlewares.use((req, res, next) => {
          const path = (req.url ?? '/').split('?')[0] ?? '/';
          if (path !== '/api' && !path.startsWith('/api/')) return next();
          server
            .ssrLoadModule(ROUTER_SOURCE)
            .then((router) => router.handleApi(req, res, new URL(req.url ?? '/', `http://${req.headers.host}`)))
            .catch(next);
        });
      },
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
        // Last, so the widget is compressed too: .br and .gz beside each text file (serve.ts).
        const { precompress } = await import('./scripts/precompress.ts');
        logger.info(`precompressed: ${precompress(fileURLToPath(client))} files`);
      },
    },
  };
}

export default defineConfig({
  output: 'server',
  // Middleware mode: scripts/serve.ts is the HTTP server (static files from memory, then the app).
  // The ceiling: scripts/serve.ts holds every body to 256 KB but a bulk-import upload's (50 MB).
  adapter: node({ mode: 'middleware', bodySizeLimit: 51 * 1024 * 1024 }),
  security: {
    // The origin check lives in src/middleware.ts: Astro's own covers form content types only,
    // ours refuses every cross-site unsafe request whatever its content type.
    checkOrigin: false,
    // Astro writes each page's Content-Security-Policy header: these directives, plus script-src
    // and style-src of 'self' and the hashes of the page's inline styles and scripts (the inlined
    // stylesheets below). src/middleware.ts adds frame-ancestors; the JSON API sends
    // src/server/security-headers.ts's policy, which says the same.
    csp: { directives: [...CSP_DIRECTIVES] },
  },
  devToolbar: { enabled: false },
  // No page uses astro:assets: no image service at all, so nothing loads an optimizer. Astro still
  // adds its /_image route (and /_server-islands/…); src/middleware.ts answers both with 404.
  image: { service: { entrypoint: 'astro/assets/services/noop' } },
  // No Markdown code blocks here; Shiki's inline styles would not pass the CSP anyway.
  markdown: { syntaxHighlight: false },
  vite: { plugins: [memoizedPageLoaders(), memoizedCspDigests(), apiRouterEntry()] },
  integrations: [apiRouterInDev(), widgetBundle()],
  // Every stylesheet is small (the largest, global.css, ≈ 13 KB, ≈ 3 KB with Brotli): inlined,
  // a first visit needs one request after connecting instead of two round trips.
  build: { inlineStylesheets: 'always' },
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
