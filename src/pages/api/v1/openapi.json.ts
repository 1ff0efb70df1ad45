import { PUBLIC_ORIGIN } from 'astro:env/server';
import type { APIRoute } from 'astro';
import { MAX_JSON_BYTES, methodNotAllowed } from '../../../server/api.ts';
import { buildOpenApiDocument } from '../../../server/openapi.ts';
import { checksPerMinute, lenderRequestsPerMinute } from '../../../server/rate-limit.ts';

/** The document depends only on the code and this process's settings: built once, on first use. */
let body: string | undefined;

export const GET: APIRoute = () => {
  body ??= JSON.stringify(
    buildOpenApiDocument({
      checksPerMinute: checksPerMinute(),
      lenderRequestsPerMinute: lenderRequestsPerMinute(),
      maxJsonBytes: MAX_JSON_BYTES,
      origin: PUBLIC_ORIGIN,
    }),
  );
  return new Response(body, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=300',
      // Public and credential-free: API tools on other origins (an OpenAPI viewer) may read it.
      'access-control-allow-origin': '*',
    },
  });
};

export const ALL: APIRoute = () => methodNotAllowed('GET');
