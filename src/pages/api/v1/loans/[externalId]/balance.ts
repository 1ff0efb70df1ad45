import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed, queryObject, requireLender } from '../../../../../server/api.ts';
import { database } from '../../../../../server/context.ts';
import { getBalance } from '../../../../../services/lender-api.ts';

export const GET: APIRoute = (context) =>
  handle(context, async () => {
    const { lender } = await requireLender(context);
    return json(await getBalance(await database(), lender, context.params.externalId ?? '', queryObject(context.url)));
  });

export const ALL: APIRoute = () => methodNotAllowed('GET');
