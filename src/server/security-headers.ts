/**
 * The headers every answer carries, pages (src/middleware.ts) and the JSON API (router.ts) alike:
 * one list, so the two cannot drift apart.
 */

/**
 * The policy's directives but script-src and style-src, which are `'self'` plus, on pages, the
 * hashes of their inline styles and scripts (Astro writes them: astro.config.mjs `security.csp`).
 */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
] as const;

/** The whole policy where there is nothing inline (the JSON API, answers made in middleware). */
export const CSP_BASE = [...CSP_DIRECTIVES, "script-src 'self'", "style-src 'self'"].join('; ');

/** The policy of an answer no other site may frame. */
export const CSP = `${CSP_BASE}; frame-ancestors 'none'`;

/** The headers set whatever the answer (CSP and framing apart, which depend on the page). */
export function baseSecurityHeaders(production: boolean): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    // Short links carry their token in the URL: never send it to another site. (Not no-referrer:
    // with it, browsers send `Origin: null` on our own form posts.)
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}
