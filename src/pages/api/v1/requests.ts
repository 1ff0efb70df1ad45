import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed, queryObject, requireLender } from '../../../server/api.ts';
import { database } from '../../../server/context.ts';
import { getRequests } from '../../../services/lender-api.ts';

export const GET: APIRoute = (context) =>
  handle(context, async () => {
    const { lender } = await requireLender(context);
    return json(await getRequests(await database(), lender, queryObject(context.url)));
  });

export const ALL: APIRoute = () => methodNotAllowed('GET');
