import type { APIRoute } from 'astro';
import { exampleCsv } from '../../../../../components/import-page.ts';

/** The example import file: the header and two loans (the console gate has checked the role). */
export const GET: APIRoute = (context) => {
  if (!context.locals.consoleLender) return new Response(null, { status: 404 });
  return new Response(exampleCsv(), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="zhenxin-import-example.csv"',
    },
  });
};
