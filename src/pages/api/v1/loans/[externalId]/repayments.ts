import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed, readJson, requireLender } from '../../../../../server/api.ts';
import { database } from '../../../../../server/context.ts';
import { postRepayment } from '../../../../../services/lender-api.ts';

export const POST: APIRoute = (context) =>
  handle(context, async () => {
    const { lender } = await requireLender(context);
    const body = await readJson(context.request);
    const answer = await postRepayment(await database(), lender, context.params.externalId ?? '', body);
    return json(answer.body, answer.status, answer.replayed ? { 'idempotent-replayed': 'true' } : {});
  });

export const ALL: APIRoute = () => methodNotAllowed('POST');
