import type { APIRoute } from 'astro';
import { errorResponse } from '../../server/api.ts';

/** Unknown API paths answer in the API's error shape, not with the HTML 404 page. */
export const ALL: APIRoute = ({ url }) => errorResponse(404, 'not_found', `no API endpoint at ${url.pathname}`);
