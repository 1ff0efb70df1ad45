import type { APIRoute } from 'astro';
import { database } from '../../server/context.ts';
import { reportedItems, takedownCsv } from '../../services/staff-workbench.ts';

/** The takedown list as CSV (the staff gate in middleware admits only signed-in staff). */
export const GET: APIRoute = async (context) => {
  const staff = context.locals.staff;
  if (!staff) return new Response(null, { status: 401 });
  const csv = takedownCsv(await reportedItems(await database(), staff));
  const day = new Date().toISOString().slice(0, 10);
  return new Response(`\uFEFF${csv}`, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="zhenxin-takedown-${day}.csv"`,
    },
  });
};
