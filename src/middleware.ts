import { PUBLIC_ORIGIN } from 'astro:env/server';
import { defineMiddleware, sequence } from 'astro:middleware';
import { randomUUID } from 'node:crypto';
import { readSession } from './auth/sessions.ts';
import { canManageLender, canUseConsole } from './core/roles.ts';
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacters, stripControlCharacters } from './core/validation.ts';
import { listLendersCached } from './db/repositories/lenders.ts';
import { DEFAULT_LOCALE, fromAcceptLanguage, matchLocale } from './i18n/locale.ts';
import { database } from './server/context.ts';
import { allowedOrigins, CORS_PATHS } from './server/cors.ts';
import { log, safePath } from './server/log.ts';
import { findActiveStaff } from './services/staff-workbench.ts';

/**
 * Every request passes these small steps in order. Each does one thing; the order matters:
 * the log sees the final response, headers are set on every response (errors included), and
 * the origin check runs before any route can change state.
 */

const requestLog = defineMiddleware(async (context, next) => {
  const started = performance.now();
  // A caller's id is kept only when it is a plain token, so it cannot forge log lines or headers.
  const given = context.request.headers.get('x-request-id');
  context.locals.requestId = given && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
  const response = await next();
  log.info(
    {
      requestId: context.locals.requestId,
      method: context.request.method,
      path: safePath(context.url.pathname),
      status: response.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    },
    'request',
  );
  return response;
});

const CSP_BASE = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');
const CSP = `${CSP_BASE}; frame-ancestors 'none'`;

const securityHeaders = defineMiddleware(async (context, next) => {
  const response = await next();
  const headers = response.headers;
  // Only a page that names its framers (the lender's registered origins) may be framed, by
  // exactly those; X-Frame-Options cannot list origins, so such a page goes without it.
  const framers = context.locals.frameAncestors ?? [];
  headers.set(
    'content-security-policy',
    framers.length > 0 ? `${CSP_BASE}; frame-ancestors ${framers.join(' ')}` : CSP,
  );
  if (framers.length === 0) headers.set('x-frame-options', 'DENY');
  headers.set('x-content-type-options', 'nosniff');
  // Short links carry their token in the URL: never send it to another site. (Not no-referrer:
  // with it, browsers send `Origin: null` on our own form posts.)
  headers.set('referrer-policy', 'same-origin');
  headers.set('cross-origin-opener-policy', 'same-origin');
  headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  if (import.meta.env.PROD) headers.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
  if (
    context.locals.noStore ||
    context.url.pathname.startsWith('/account') ||
    context.url.pathname.startsWith('/staff')
  ) {
    headers.set('cache-control', 'no-store');
  }
  headers.set('x-request-id', context.locals.requestId);
  return response;
});

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses cross-site unsafe requests whatever their content type (Astro's own check covers
 * form types only). Browsers always send Origin or Sec-Fetch-Site on such requests; server-to-
 * server API clients send neither and are authenticated by their key instead.
 */
const originCheck = defineMiddleware(async (context, next) => {
  if (!UNSAFE_METHODS.has(context.request.method)) return next();
  const origin = context.request.headers.get('origin');
  const site = context.request.headers.get('sec-fetch-site');
  const ownOrigin = PUBLIC_ORIGIN ?? context.url.origin;
  // Sec-Fetch-Site is set by the browser and cannot be forged by a page, so it decides when
  // present; otherwise the Origin header must be ours (an opaque "null" origin is not).
  const crossSite = site !== null ? site !== 'same-origin' && site !== 'none' : origin !== null && origin !== ownOrigin;
  // A lender's registered origin calling a CORS-enabled path (checked exactly by the cors step).
  const allowedCaller = context.locals.corsOrigin !== undefined && context.locals.corsOrigin === origin;
  if (!crossSite || allowedCaller) return next();
  log.warn(
    { requestId: context.locals.requestId, origin, site, path: safePath(context.url.pathname) },
    'cross-site request refused',
  );
  const message = 'Cross-site requests that change data are refused.';
  if (context.url.pathname.startsWith('/api/')) {
    return new Response(JSON.stringify({ error: { code: 'cross_site_request', message } }), {
      status: 403,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  }
  return new Response(message, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
});

/**
 * CORS for the public verification API: a lender's registered origin (exact match) may call it
 * from a browser; the allowed origin is echoed only when it is on the list, never reflected.
 */
const cors = defineMiddleware(async (context, next) => {
  if (!CORS_PATHS.has(context.url.pathname)) return next();
  const origin = context.request.headers.get('origin');
  if (origin && (await allowedOrigins()).has(origin)) context.locals.corsOrigin = origin;
  // Retry-After is not readable across origins unless exposed: the widget says how long to wait.
  const allow: Record<string, string> = context.locals.corsOrigin
    ? {
        'access-control-allow-origin': context.locals.corsOrigin,
        'access-control-expose-headers': 'Retry-After',
        vary: 'Origin',
      }
    : { vary: 'Origin' };
  if (context.request.method === 'OPTIONS') {
    return new Response(null, {
      status: 204,
      headers: context.locals.corsOrigin
        ? {
            ...allow,
            'access-control-allow-methods': 'POST',
            'access-control-allow-headers': 'content-type, accept-language',
            'access-control-max-age': '600',
          }
        : allow,
    });
  }
  const response = await next();
  for (const [key, value] of Object.entries(allow)) response.headers.set(key, value);
  return response;
});

/**
 * Routes Astro adds by itself that the site does not use: the image optimizer (no page uses
 * astro:assets, and no image service is installed, so it could only fail) and the server-island
 * renderer (no page has a server island). Astro has no switch to leave them out, so they are
 * answered here as any unknown path is, before they parse anything.
 */
const UNUSED_PATHS = ['/_image', '/_server-islands'];

const unusedRoutes = defineMiddleware(async (context, next) => {
  const path = context.url.pathname;
  if (UNUSED_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) return context.rewrite('/404');
  return next();
});

/**
 * The request's own text, its path and its query, holds no control characters (see
 * core/validation.ts): PostgreSQL cannot even compare a value with U+0000 in it, and no link of
 * ours has one. Answered before any page or route reads a parameter: a path holding one names
 * nothing (404, as any unknown path), a query parameter is refused by name (400).
 */
const controlCharacters = defineMiddleware(async (context, next) => {
  const field = controlCharacterField(context.url);
  if (field === null) return next();
  const api = context.url.pathname.startsWith('/api/');
  if (field === 'path') {
    if (!api) return context.rewrite('/404');
    const message = 'nothing at this path: it holds a control character';
    return json(404, { error: { code: 'not_found', message } });
  }
  const message = `${field}: ${CONTROL_CHARACTER_MESSAGE}`;
  if (api) return json(400, { error: { code: 'invalid_request', message, field } });
  return new Response(message, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
});

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

function controlCharacterField(url: URL): string | null {
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // not percent-encoding a page could read as text either: left to the routes' own checks
  }
  if (hasControlCharacters(path)) return 'path';
  for (const [name, value] of url.searchParams) {
    if (hasControlCharacters(name) || hasControlCharacters(value)) return stripControlCharacters(name) || 'query';
  }
  return null;
}

const LANG_COOKIE = 'lang';

/** ?lang= (remembered in a cookie) → cookie → Accept-Language → zh-CN. */
const locale = defineMiddleware(async (context, next) => {
  const asked = matchLocale(context.url.searchParams.get('lang'));
  if (asked) {
    context.cookies.set(LANG_COOKIE, asked, {
      path: '/',
      maxAge: 31_536_000,
      sameSite: 'lax',
      httpOnly: true,
      secure: import.meta.env.PROD,
    });
  }
  context.locals.locale =
    asked ??
    matchLocale(context.cookies.get(LANG_COOKIE)?.value) ??
    fromAcceptLanguage(context.request.headers.get('accept-language')) ??
    DEFAULT_LOCALE;
  return next();
});

/**
 * /staff/… needs a signed-in, active staff member; anyone else is sent to the sign-in page.
 * The session is read only on these paths, so public pages never touch the sessions table.
 */
const staffGate = defineMiddleware(async (context, next) => {
  const path = context.url.pathname;
  if (path !== '/staff' && !path.startsWith('/staff/')) return next();
  const db = await database();
  const session = await readSession(db, 'staff', context.cookies);
  const staff = session ? await findActiveStaff(db, session.subjectId) : null;
  if (staff) context.locals.staff = staff;
  else if (path !== '/staff/sign-in') return context.redirect('/staff/sign-in', 303);
  return next();
});

/**
 * The lender console, /staff/lenders and /staff/lenders/<slug>/…: a lender admin (its own lender
 * only) or an operator (every lender). An agent is refused (403); a lender the account may not run
 * is answered as if it did not exist (404), so nobody learns another lender's slug from here.
 */
const consoleGate = defineMiddleware(async (context, next) => {
  const path = context.url.pathname;
  if (path !== '/staff/lenders' && !path.startsWith('/staff/lenders/')) return next();
  const staff = context.locals.staff;
  if (!staff) return next();
  if (!canUseConsole(staff)) return context.rewrite('/staff/forbidden');
  const slug = path.split('/')[3];
  if (!slug) return next();
  const lender = (await listLendersCached(await database())).find((l) => l.slug === slug);
  if (!lender || !canManageLender(staff, lender.id)) return context.rewrite('/404');
  context.locals.consoleLender = lender;
  return next();
});

/** Account pages a visitor may see: signing in. Everything else under /account needs a session. */
const PUBLIC_ACCOUNT_PATHS = new Set(['/account/sign-in']);

/** /account/… needs a borrower session (read only on these paths); others are sent to sign in. */
const borrowerGate = defineMiddleware(async (context, next) => {
  const path = context.url.pathname;
  if (path !== '/account' && !path.startsWith('/account/')) return next();
  const session = await readSession(await database(), 'borrower', context.cookies);
  if (session) context.locals.borrower = { phone: session.subjectId, signedInAt: session.createdAt };
  else if (!PUBLIC_ACCOUNT_PATHS.has(path)) {
    const back = context.request.method === 'GET' ? `?next=${encodeURIComponent(path)}` : '';
    return context.redirect(`/account/sign-in${back}`, 303);
  }
  return next();
});

export const onRequest = sequence(
  requestLog,
  securityHeaders,
  cors,
  originCheck,
  locale,
  controlCharacters,
  unusedRoutes,
  staffGate,
  consoleGate,
  borrowerGate,
);
