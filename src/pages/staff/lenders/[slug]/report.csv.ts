import type { APIRoute } from 'astro';
import { readRange } from '../../../../components/effect-report-view.ts';
import { database } from '../../../../server/context.ts';
import { buildEffectReport } from '../../../../services/effect-report.ts';
import { effectReportCsv } from '../../../../services/effect-report-csv.ts';

/**
 * The effect report's rows as CSV (the console gate in middleware has checked the role and the
 * lender). UTF-8 with a byte-order mark, so Excel reads the Chinese text.
 */
export const GET: APIRoute = async (context) => {
  const lender = context.locals.consoleLender;
  if (!lender) return context.rewrite('/404');
  const request = readRange(context.url, lender, new Date());
  if (!request.range) {
    const field = request.problems.from ? 'from' : 'to';
    return new Response(`${field}: not a valid range of dates (YYYY-MM-DD, at most 366 days)\n`, {
      status: 400,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const report = await buildEffectReport(await database(), lender, request.range);
  return new Response(`\uFEFF${effectReportCsv(report)}`, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="zhenxin-effect-${lender.slug}-${request.range.from}-${request.range.to}.csv"`,
      'cache-control': 'no-store',
    },
  });
};
