import type { APIRoute } from 'astro';
import { clientIp, handle, json, methodNotAllowed, readJson, requireLender } from '../../../../server/api.ts';
import { database } from '../../../../server/context.ts';
import { putBorrower } from '../../../../services/lender-api.ts';

export const PUT: APIRoute = (context) =>
  handle(context, async () => {
    const { lender, keyId } = await requireLender(context);
    const body = await readJson(context.request);
    const result = await putBorrower(
      await database(),
      lender,
      { keyId, ip: clientIp(context) },
      context.params.externalId ?? '',
      body,
    );
    return json(result.borrower, result.created ? 201 : 200);
  });

export const ALL: APIRoute = () => methodNotAllowed('PUT');
