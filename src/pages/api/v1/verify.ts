import type { APIRoute } from 'astro';
import { clientIp, handle, json, methodNotAllowed, readJson } from '../../../server/api.ts';
import { database } from '../../../server/context.ts';
import { overBudget } from '../../../server/rate-limit.ts';
import { verify } from '../../../services/verification.ts';

/** CONTRACT.md "Public verification API": no key, rate-limited per client, CORS per lender origins. */
export const POST: APIRoute = (context) =>
  handle(context, async () => {
    const limited = await overBudget('verify', clientIp(context), true);
    if (limited) return limited;
    const body = await readJson(context.request);
    const result = await verify(await database(), body, context.locals.locale);
    return json(result.answer, 200, { 'content-language': context.locals.locale });
  });

export const ALL: APIRoute = () => methodNotAllowed('POST');
