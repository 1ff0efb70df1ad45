import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed, readJson, requireLender } from '../../../../server/api.ts';
import { database } from '../../../../server/context.ts';
import { putLoan } from '../../../../services/lender-api.ts';

export const PUT: APIRoute = (context) =>
  handle(context, async () => {
    const { lender } = await requireLender(context);
    const body = await readJson(context.request);
    const result = await putLoan(await database(), lender, context.params.externalId ?? '', body);
    return json(result.loan, result.created ? 201 : 200);
  });

export const ALL: APIRoute = () => methodNotAllowed('PUT');
