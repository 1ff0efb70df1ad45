import type { EffectReport } from './effect-report-schemas.ts';

/**
 * The effect report's rows as RFC 4180 CSV for spreadsheets: the same rows as the page and the
 * API, one header line, CRLF line ends. A text cell a spreadsheet would run as a formula (starting
 * with =, +, -, @, a tab or a carriage return) is prefixed with ' ; numbers stay numbers.
 * The caller adds the UTF-8 byte-order mark Excel needs to read Chinese text.
 */
const COLUMNS = [
  'date',
  'stage',
  'template',
  'variant',
  'sent',
  'delivered',
  'failed',
  'delivery_rate',
  'opened',
  'verified',
  'replies',
  'opt_outs',
  'repaid_1d',
  'repaid_3d',
  'repaid_7d',
  'repaid_amount_7d_fen',
] as const;

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function effectReportCsv(report: EffectReport): string {
  const lines = [COLUMNS.join(',')];
  for (const r of report.rows) {
    lines.push(
      [
        r.date,
        r.stage,
        r.template,
        r.variant,
        r.sent,
        r.delivered,
        r.failed,
        r.deliveryRate === null ? null : Number(r.deliveryRate),
        r.opened,
        r.verified,
        r.replies,
        r.optOuts,
        r.repaid1d,
        r.repaid3d,
        r.repaid7d,
        r.repaidAmount7d,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
