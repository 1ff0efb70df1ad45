import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed } from '../../../../server/api.ts';
import { database } from '../../../../server/context.ts';
import { widgetSettings } from '../../../../services/lenders.ts';

/**
 * What the embeddable widget needs before its first check: the lender's name and hotlines (for
 * every error message) and whether the page it runs on is one of the lender's registered
 * origins. Public data, so any page may read it (no credentials): the widget must be able to
 * say "not allowed here, call this number" exactly where verification itself is refused.
 */
export const GET: APIRoute = (context) =>
  handle(context, async () => {
    const settings = await widgetSettings(
      await database(),
      context.params.slug ?? '',
      context.request.headers.get('origin'),
    );
    return json(settings, 200, { 'access-control-allow-origin': '*', vary: 'Origin' });
  });

export const OPTIONS: APIRoute = () =>
  new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-max-age': '600' } });

export const ALL: APIRoute = () => methodNotAllowed('GET');
