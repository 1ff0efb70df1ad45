import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed, queryObject, requireLender } from '../../../../server/api.ts';
import { database } from '../../../../server/context.ts';
import { effectReportFor } from '../../../../services/effect-report.ts';

/** What the key's lender's reminders achieved between two dates (CONTRACT.md). */
export const GET: APIRoute = (context) =>
  handle(context, async () => {
    const { lender } = await requireLender(context);
    return json(await effectReportFor(await database(), lender, queryObject(context.url)));
  });

export const ALL: APIRoute = () => methodNotAllowed('GET');
