import { DomainError } from '../core/errors.ts';
import type { ApiRoute } from './api-answer.ts';

/**
 * The router's path matching (router.ts): a route's path is literal segments and `:name`
 * parameters, one segment each; a parameter is percent-decoded, and one that does not decode is
 * a 400 naming it. One trailing slash is ignored, as Astro did.
 */

export interface CompiledRoute {
  segments: string[];
  route: ApiRoute;
  allow: string;
}

export function compile(routes: readonly ApiRoute[]): CompiledRoute[] {
  // HEAD goes unsaid in Allow: GET's handler answers it (router.ts), as Astro did.
  return routes.map((route) => ({
    segments: route.path.split('/').slice(1),
    route,
    allow: Object.keys(route.methods)
      .filter((m) => m !== 'HEAD')
      .join(', '),
  }));
}

/** The route and its parameters for a path; a malformed escape in a parameter is a 400. */
export function matchRoute(
  table: readonly CompiledRoute[],
  pathname: string,
): { compiled: CompiledRoute; params: Record<string, string> } | null {
  // Astro ignored one trailing slash; so does the router.
  const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const parts = trimmed.split('/').slice(1);
  outer: for (const compiled of table) {
    if (compiled.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const want = compiled.segments[i] as string;
      const got = parts[i] as string;
      if (want.startsWith(':')) {
        if (got === '') continue outer;
        let value: string;
        try {
          value = decodeURIComponent(got);
        } catch {
          throw new DomainError('invalid_request', `${want.slice(1)}: not a valid percent-encoded path segment`, {
            status: 400,
            field: want.slice(1),
          });
        }
        params[want.slice(1)] = value;
      } else if (want !== got) continue outer;
    }
    return { compiled, params };
  }
  return null;
}
