import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed } from '../../../../server/api.ts';
import { database } from '../../../../server/context.ts';
import { publicLenderProfile } from '../../../../services/lenders.ts';

export const GET: APIRoute = (context) =>
  handle(context, async () =>
    json(await publicLenderProfile(await database(), context.params.slug ?? ''), 200, {
      'cache-control': 'public, max-age=300',
    }),
  );

export const ALL: APIRoute = () => methodNotAllowed('GET');
