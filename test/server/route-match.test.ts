import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.ts';
import type { ApiRoute } from '../../src/server/api-answer.ts';
import { compile, matchRoute } from '../../src/server/route-match.ts';

const ok = () => ({ status: 200 });
const table = compile([
  { path: '/api/v1/verify', methods: { POST: ok } },
  { path: '/api/v1/loans/:externalId', methods: { PUT: ok } },
  { path: '/api/v1/loans/:externalId/balance', methods: { GET: ok } },
  { path: '/api/v1/borrowers/:externalId', methods: { GET: ok, PUT: ok } },
] satisfies ApiRoute[]);

describe('matchRoute', () => {
  it('matches literal paths and names each parameter, percent-decoded', () => {
    expect(matchRoute(table, '/api/v1/verify')?.compiled.route.path).toBe('/api/v1/verify');
    const balance = matchRoute(table, '/api/v1/loans/L%2F05%20x/balance');
    expect(balance?.compiled.route.path).toBe('/api/v1/loans/:externalId/balance');
    expect(balance?.params).toEqual({ externalId: 'L/05 x' });
    expect(matchRoute(table, '/api/v1/loans/L005')?.params).toEqual({ externalId: 'L005' });
  });

  it('ignores one trailing slash, as Astro did', () => {
    expect(matchRoute(table, '/api/v1/verify/')?.compiled.route.path).toBe('/api/v1/verify');
    expect(matchRoute(table, '/api/v1/verify//')).toBeNull();
  });

  it('finds nothing for other paths, an empty parameter or an extra segment', () => {
    for (const path of ['/api/v1', '/api/v1/verify/x', '/api/v1/loans//balance', '/api/v1/loans', '/api/v2/verify']) {
      expect(matchRoute(table, path), path).toBeNull();
    }
  });

  it('refuses a parameter that does not decode with a 400 naming it', () => {
    let caught: unknown;
    try {
      matchRoute(table, '/api/v1/loans/%E0%A4%A/balance');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).status).toBe(400);
    expect((caught as DomainError).field).toBe('externalId');
  });

  it('lists the methods a path takes, for Allow', () => {
    expect(matchRoute(table, '/api/v1/borrowers/B1')?.compiled.allow).toBe('GET, PUT');
  });
});

describe('one router for /api', () => {
  it('has no Astro endpoints under src/pages/api (scripts/serve.ts would never reach them)', () => {
    // A route belongs in src/server/api-routes.ts; a file under src/pages/api would be shadowed by
    // the router's 404, behind scripts/serve.ts and in `astro dev` alike.
    expect(existsSync(new URL('../../src/pages/api', import.meta.url))).toBe(false);
  });
});
