import { csvRecord } from '../../src/core/csv.ts';
import { addDays } from '../../src/core/dates.ts';

/** Bulk-import CSV files for tests and the benchmark. */

export const IMPORT_HEADER = [
  'borrower_id',
  'name',
  'phone',
  'locale',
  'loan_id',
  'currency',
  'due_date',
  'principal',
  'interest',
] as const;

export type ImportRowValues = Partial<Record<string, string>>;

/** A whole file from rows given as column → value (columns from the header). */
export function importCsv(
  rows: readonly ImportRowValues[],
  options: { header?: readonly string[]; lineEnd?: string; bom?: boolean } = {},
): string {
  const header = options.header ?? IMPORT_HEADER;
  const end = options.lineEnd ?? '\r\n';
  const lines = [csvRecord([...header]), ...rows.map((row) => csvRecord(header.map((c) => row[c] ?? '')))];
  return `${options.bom ? '\uFEFF' : ''}${lines.join(end)}${end}`;
}

/** The bytes of a text as a source read in pieces of `size` bytes (pieces may split a character). */
export function bytesSource(text: string, size = 4096): () => AsyncIterable<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  };
}

export interface SyntheticImport {
  loans: number;
  instalmentsPerLoan: number;
  loansPerBorrower: number;
  /** The first instalment's due date; the next ones a month (30 days) apart. */
  firstDue: string;
  /** Added to every principal (a changed file for an update run). */
  principalDelta?: number;
}

export function syntheticRowCount(spec: SyntheticImport): number {
  return spec.loans * spec.instalmentsPerLoan;
}

/**
 * A large file generated as it is read (about 64 KB a piece): loan n belongs to borrower
 * ⌊n / loansPerBorrower⌋, each borrower with their own valid mainland mobile number.
 */
export function syntheticImport(spec: SyntheticImport): () => AsyncIterable<Uint8Array> {
  const encoder = new TextEncoder();
  return async function* () {
    let text = `${IMPORT_HEADER.join(',')}\r\n`;
    for (let loan = 0; loan < spec.loans; loan++) {
      const borrower = Math.floor(loan / spec.loansPerBorrower);
      const phone = `+86138${String(borrower).padStart(8, '0')}`;
      for (let i = 0; i < spec.instalmentsPerLoan; i++) {
        const principal = 250_000 + (loan % 97) * 100 + (spec.principalDelta ?? 0);
        text += `B${borrower},借款人${borrower},${phone},zh-CN,L${loan},CNY,${addDays(spec.firstDue, 30 * i)},${principal},${1_500 + (i % 3) * 10}\r\n`;
      }
      if (text.length > 60_000) {
        yield encoder.encode(text);
        text = '';
      }
    }
    if (text) yield encoder.encode(text);
  };
}
