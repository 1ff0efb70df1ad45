import type { APIRoute } from 'astro';
import { clientIp, handle, json, methodNotAllowed, readJson, requireLender } from '../../../../server/api.ts';
import { database } from '../../../../server/context.ts';
import type { BorrowerPutAnswer } from '../../../../services/api-responses.ts';
import { getBorrower, putBorrower } from '../../../../services/lender-api.ts';

export const GET: APIRoute = (context) =>
  handle(context, async () => {
    const { lender } = await requireLender(context);
    return json(await getBorrower(await database(), lender, context.params.externalId ?? ''));
  });

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
    // A number the borrower replaced themselves is not restored: the answer says so beside the
    // borrower as we hold them.
    const answer: BorrowerPutAnswer = result.phoneNotApplied
      ? { ...result.borrower, phoneNotApplied: result.phoneNotApplied }
      : result.borrower;
    return json(answer, result.created ? 201 : 200);
  });

export const ALL: APIRoute = () => methodNotAllowed('GET, PUT');
