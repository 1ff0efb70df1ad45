import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvReader, type CsvRecord, csvRecord, parseCsv } from '../../src/core/csv.ts';

// The incremental CSV reader against RFC 4180 as written by csvRecord: any field content comes
// back as it was, however the text is cut into pieces, and every record starts on the line a
// reader counting CRLF, LF and lone CR as one break each would say.

/** Characters that matter to CSV, weighted up, with any other Unicode text around them. */
const field = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(',', '"', '\r', '\n', '\r\n', ' ', '""', '"\r') },
      { weight: 5, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));
const record = fc.array(field, { minLength: 1, maxLength: 5 });
const records = fc.array(record, { minLength: 1, maxLength: 12 });
const lineEnd = fc.constantFrom('\r\n', '\n', '\r');

/** Cuts a text at the given positions (any code unit: inside a quote, between CR and LF…). */
function cut(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(text.slice(start, point));
    start = point;
  }
  pieces.push(text.slice(start));
  return pieces;
}

function readPieces(pieces: string[]): CsvRecord[] {
  const reader = new CsvReader();
  const out: CsvRecord[] = [];
  for (const piece of pieces) out.push(...reader.push(piece));
  out.push(...reader.end());
  return out;
}

function breaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

describe('CSV reader properties', () => {
  it('any field content round-trips through quoting, however the text is cut', () => {
    fc.assert(
      fc.property(records, lineEnd, fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), (rows, end, last, cuts) => {
        const text = rows.map(csvRecord).join(end) + (last ? end : '');
        const read = readPieces(cut(text, cuts));
        expect(read.map((r) => r.fields)).toEqual(rows);
        expect(read.every((r) => r.problem === undefined)).toBe(true);
      }),
    );
  });

  it('each record starts on the physical line counted over the text before it', () => {
    fc.assert(
      fc.property(records, lineEnd, fc.array(fc.nat(), { maxLength: 8 }), (rows, end, cuts) => {
        const written = rows.map(csvRecord);
        const text = `${written.join(end)}${end}`;
        const read = readPieces(cut(text, cuts));
        let before = '';
        read.forEach((r, i) => {
          expect(r.line).toBe(1 + breaks(before));
          before += `${written[i]}${end}`;
        });
      }),
    );
  });

  it('blank lines between records are skipped and still counted', () => {
    fc.assert(
      fc.property(records, fc.array(fc.nat({ max: 3 }), { minLength: 12, maxLength: 12 }), (rows, blanks) => {
        let text = '';
        const expected: number[] = [];
        rows.forEach((row, i) => {
          text += '\n'.repeat(blanks[i] ?? 0);
          expected.push(1 + breaks(text));
          text += `${csvRecord(row)}\n`;
        });
        const read = parseCsv(text);
        expect(read.map((r) => r.fields)).toEqual(rows);
        expect(read.map((r) => r.line)).toEqual(expected);
      }),
    );
  });
});

describe('CSV reader', () => {
  it('reads quoted commas, doubled quotes and line breaks inside a field', () => {
    const read = parseCsv('a,b\r\n"x, y","say ""hi""\r\nthere"\r\nlast,row\r\n');
    expect(read).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"\r\nthere'] },
      { line: 4, fields: ['last', 'row'] },
    ]);
  });

  it('keeps empty fields and reads a last line without a line break', () => {
    expect(parseCsv('a,,c\n,,\n"",x')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 2, fields: ['', '', ''] },
      { line: 3, fields: ['', 'x'] },
    ]);
  });

  it('reports a quote inside an unquoted field, or text after a closing quote, on its line', () => {
    const [first, second, third] = parseCsv('ok,1\nab"c,2\n"x"y,3\n');
    expect(first?.problem).toBeUndefined();
    expect(second).toMatchObject({ line: 2, fields: ['ab"c', '2'], problem: 'stray_quote', problemLine: 2 });
    expect(third).toMatchObject({ line: 3, fields: ['xy', '3'], problem: 'stray_quote' });
  });

  it('reports a quote never closed at the line where it opened', () => {
    const read = parseCsv('a,b\n1,2\n3,"four\n5,6\n');
    expect(read).toHaveLength(3);
    expect(read[2]).toMatchObject({ line: 3, problem: 'unclosed_quote', problemLine: 3 });
  });

  it('counts a CRLF split between two pieces as one line break', () => {
    const reader = new CsvReader();
    const out = [...reader.push('a\r'), ...reader.push('\nb\r'), ...reader.push('\n"c\r'), ...reader.push('\nd"\nz')];
    out.push(...reader.end());
    expect(out.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a']],
      [2, ['b']],
      [3, ['c\r\nd']],
      [5, ['z']],
    ]);
  });
});
