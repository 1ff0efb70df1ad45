import { PUBLIC_ORIGIN } from 'astro:env/server';
import { defineMiddleware } from 'astro:middleware';
import type { APIContext } from 'astro';
import { readSession } from './auth/sessions.ts';
import { canManageLender, canUseConsole } from './core/roles.ts';
import { CONTROL_CHARACTER_MESSAGE, controlCharacterInUrl } from './core/validation.ts';
import { listLendersCached } from './db/repositories/lenders.ts';
import { localeOf, matchLocale } from './i18n/locale.ts';
import { database } from './server/context.ts';
import { log, logRequest, requestIdOf, safePath } from './server/log.ts';
import { baseSecurityHeaders, CSP_BASE } from './server/security-headers.ts';
import { findActiveStaff } from './services/staff-workbench.ts';

/**
 * Every page request passes these small steps, in one pass (Astro's sequence() of eight
 * middlewares cost a pair of promise hops and a context per step on every page): the request id,
 * then the gates in order — the origin check before any route can change state, the locale, the
 * staff, console and borrower gates — then the page, then the security headers and the log line
 * on whatever answered (errors and redirects included). The JSON API (/api/…) never comes here:
 * src/server/router.ts does the same for it.
 */

type Context = APIContext;
/** A gate either lets the request on (undefined) or answers it. */
type Gate = (context: Context) => Promise<Response | undefined> | Response | undefined;

const SECURITY_HEADERS = Object.entries(baseSecurityHeaders(import.meta.env.PROD));

function securityHeaders(context: Context, response: Response): void {
  const headers = response.headers;
  // Only a page that names its framers (the lender's registered origins) may be framed, by
  // exactly those; X-Frame-Options cannot list origins, so such a page goes without it.
  const framers = context.locals.frameAncestors ?? [];
  // A rendered page comes with Astro's policy (astro.config.mjs: ours, plus its inline styles'
  // hashes); an answer made here (a redirect, a 403) has none and gets the plain one.
  const policy = headers.get('content-security-policy')?.trim().replace(/;$/, '') || CSP_BASE;
  const ancestors = framers.length > 0 ? framers.join(' ') : "'none'";
  headers.set('content-security-policy', `${policy}; frame-ancestors ${ancestors}`);
  if (framers.length === 0) headers.set('x-frame-options', 'DENY');
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
  const path = context.url.pathname;
  if (context.locals.noStore || path.startsWith('/account') || path.startsWith('/staff')) {
    headers.set('cache-control', 'no-store');
  }
  headers.set('x-request-id', context.locals.requestId);
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses cross-site unsafe requests whatever their content type (Astro's own check covers
 * form types only). Browsers always send Origin or Sec-Fetch-Site on such requests.
 */
const originCheck: Gate = (context) => {
  if (!UNSAFE_METHODS.has(context.request.method)) return undefined;
  const origin = context.request.headers.get('origin');
  const site = context.request.headers.get('sec-fetch-site');
  const ownOrigin = PUBLIC_ORIGIN ?? context.url.origin;
  // Sec-Fetch-Site is set by the browser and cannot be forged by a page, so it decides when
  // present; otherwise the Origin header must be ours (an opaque "null" origin is not).
  const crossSite = site !== null ? site !== 'same-origin' && site !== 'none' : origin !== null && origin !== ownOrigin;
  if (!crossSite) return undefined;
  log.warn(
    { requestId: context.locals.requestId, origin, site, path: safePath(context.url.pathname) },
    'cross-site request refused',
  );
  return new Response('Cross-site requests that change data are refused.', {
    status: 403,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
};

/**
 * Routes Astro adds by itself that the site does not use: the image optimizer (no page uses
 * astro:assets, and no image service is installed, so it could only fail) and the server-island
 * renderer (no page has a server island). Astro has no switch to leave them out, so they are
 * answered here as any unknown path is, before they parse anything.
 */
const UNUSED_PATHS = ['/_image', '/_server-islands'];

const unusedRoutes: Gate = (context) => {
  const path = context.url.pathname;
  if (UNUSED_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) return context.rewrite('/404');
  return undefined;
};

/**
 * The request's own text, its path and its query, holds no control characters (see
 * core/validation.ts): PostgreSQL cannot even compare a value with U+0000 in it, and no link of
 * ours has one. Answered before any page or route reads a parameter: a path holding one names
 * nothing (404, as any unknown path), a query parameter is refused by name (400).
 */
const controlCharacters: Gate = (context) => {
  const field = controlCharacterInUrl(context.url);
  if (field === null) return undefined;
  if (field === 'path') return context.rewrite('/404');
  const message = `${field}: ${CONTROL_CHARACTER_MESSAGE}`;
  return new Response(message, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
};

const LANG_COOKIE = 'lang';

/** ?lang= (remembered in a cookie) → cookie → Accept-Language → zh-CN. */
const locale: Gate = (context) => {
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
  context.locals.locale = localeOf(
    asked,
    context.cookies.get(LANG_COOKIE)?.value,
    context.request.headers.get('accept-language'),
  );
  return undefined;
};

/**
 * /staff/… needs a signed-in, active staff member; anyone else is sent to the sign-in page.
 * The session is read only on these paths, so public pages never touch the sessions table.
 */
const staffGate: Gate = async (context) => {
  const path = context.url.pathname;
  if (path !== '/staff' && !path.startsWith('/staff/')) return undefined;
  const db = await database();
  const session = await readSession(db, 'staff', context.cookies);
  const staff = session ? await findActiveStaff(db, session.subjectId) : null;
  if (staff) context.locals.staff = staff;
  else if (path !== '/staff/sign-in') return context.redirect('/staff/sign-in', 303);
  return undefined;
};

/**
 * The lender console, /staff/lenders and /staff/lenders/<slug>/…: a lender admin (its own lender
 * only) or an operator (every lender). An agent is refused (403); a lender the account may not run
 * is answered as if it did not exist (404), so nobody learns another lender's slug from here.
 */
const consoleGate: Gate = async (context) => {
  const path = context.url.pathname;
  if (path !== '/staff/lenders' && !path.startsWith('/staff/lenders/')) return undefined;
  const staff = context.locals.staff;
  if (!staff) return undefined;
  if (!canUseConsole(staff)) return context.rewrite('/staff/forbidden');
  const slug = path.split('/')[3];
  if (!slug) return undefined;
  const lender = (await listLendersCached(await database())).find((l) => l.slug === slug);
  if (!lender || !canManageLender(staff, lender.id)) return context.rewrite('/404');
  context.locals.consoleLender = lender;
  return undefined;
};

/** Account pages a visitor may see: signing in. Everything else under /account needs a session. */
const PUBLIC_ACCOUNT_PATHS = new Set(['/account/sign-in']);

/** /account/… needs a borrower session (read only on these paths); others are sent to sign in. */
const borrowerGate: Gate = async (context) => {
  const path = context.url.pathname;
  if (path !== '/account' && !path.startsWith('/account/')) return undefined;
  const session = await readSession(await database(), 'borrower', context.cookies);
  if (session) context.locals.borrower = { phone: session.subjectId, signedInAt: session.createdAt };
  else if (!PUBLIC_ACCOUNT_PATHS.has(path)) {
    const back = context.request.method === 'GET' ? `?next=${encodeURIComponent(path)}` : '';
    return context.redirect(`/account/sign-in${back}`, 303);
  }
  return undefined;
};

const GATES: readonly Gate[] = [
  originCheck,
  locale,
  controlCharacters,
  unusedRoutes,
  staffGate,
  consoleGate,
  borrowerGate,
];

export const onRequest = defineMiddleware(async (context, next) => {
  const started = performance.now();
  context.locals.requestId = requestIdOf(context.request.headers.get('x-request-id'));
  let response: Response | undefined;
  for (const gate of GATES) {
    response = await gate(context);
    if (response) break;
  }
  response ??= await next();
  securityHeaders(context, response);
  logRequest(
    {
      requestId: context.locals.requestId,
      method: context.request.method,
      path: context.url.pathname,
      status: response.status,
    },
    started,
  );
  return response;
});
