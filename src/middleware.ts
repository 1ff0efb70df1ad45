import { PUBLIC_ORIGIN } from 'astro:env/server';
import { defineMiddleware, sequence } from 'astro:middleware';
import { randomUUID } from 'node:crypto';
import { readSession } from './auth/sessions.ts';
import { canManageLender, canUseConsole } from './core/roles.ts';
import { listLendersCached } from './db/repositories/lenders.ts';
import { DEFAULT_LOCALE, fromAcceptLanguage, matchLocale } from './i18n/locale.ts';
import { database } from './server/context.ts';
import { allowedOrigins, CORS_PATHS } from './server/cors.ts';
import { log, safePath } from './server/log.ts';
import { baseSecurityHeaders, CSP_BASE } from './server/security-headers.ts';
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

const SECURITY_HEADERS = Object.entries(baseSecurityHeaders(import.meta.env.PROD));

const securityHeaders = defineMiddleware(async (context, next) => {
  const response = await next();
  const headers = response.headers;
  // Only a page that names its framers (the lender's registered origins) may be framed, by
  // exactly those; X-Frame-Options cannot list origins, so such a page goes without it.
  const framers = context.locals.frameAncestors ?? [];
  // A rendered page comes with Astro's policy (astro.config.mjs: ours, plus its inline styles'
  // hashes); an answer made here (a redirect, a 403) has none and gets the plain one.
  const policy = response.headers.get('content-security-policy')?.trim().replace(/;$/, '') || CSP_BASE;
  const ancestors = framers.length > 0 ? framers.join(' ') : "'none'";
  headers.set('content-security-policy', `${policy}; frame-ancestors ${ancestors}`);
  if (framers.length === 0) headers.set('x-frame-options', 'DENY');
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
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
  staffGate,
  consoleGate,
  borrowerGate,
);
