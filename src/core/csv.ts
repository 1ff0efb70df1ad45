/**
 * CSV as RFC 4180 writes it and spreadsheets export it, read incrementally: text is pushed in
 * pieces of any size (a piece may end inside a quoted field, or between a CR and its LF) and
 * complete records come out, each with the physical line it starts on, so a problem can be
 * reported as "line 17" however many line breaks the quoted fields before it held.
 *
 * Records end at CRLF, LF or a lone CR (old Mac exports). A quoted field may hold commas, quotes
 * written twice and line breaks. A line with nothing on it is skipped. Two departures from the
 * RFC are reported on the record rather than thrown, so a caller can name the line: a quote
 * inside an unquoted field or text after a closing quote (`stray_quote`, the character kept as
 * written), and a quote still open at the end of the text (`unclosed_quote`).
 */

export type CsvRecordProblem = 'stray_quote' | 'unclosed_quote';

export interface CsvRecord {
  /** The physical line (1-based) the record starts on. */
  line: number;
  fields: string[];
  problem?: CsvRecordProblem;
  /** The line of the problem, when the record spans several. */
  problemLine?: number;
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteSeen' | 'afterQuoted';

export class CsvReader {
  private line = 1;
  private recordLine = 1;
  private fields: string[] = [];
  private field = '';
  private state: State = 'fieldStart';
  /** Whether the record so far holds anything (an empty line is skipped). */
  private started = false;
  /** A CR just ended a record: an LF straight after it belongs to the same line break. */
  private skipLf = false;
  /** Inside a quoted field, the last character was a CR (a following LF is the same break). */
  private quotedCr = false;
  private quoteOpenedOn = 1;
  private problem: CsvRecordProblem | undefined;
  private problemLine: number | undefined;

  /** The physical line being read (where a problem found now would be). */
  get currentLine(): number {
    return this.line;
  }

  /** Reads the next piece of text; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.skipLf) {
        this.skipLf = false;
        if (text.charCodeAt(i) === LF) {
          i++;
          continue;
        }
      }
      if (this.state === 'quoted') {
        const quote = text.indexOf('"', i);
        const end = quote === -1 ? n : quote;
        if (end > i) {
          const part = text.slice(i, end);
          this.countBreaks(part);
          this.field += part;
        }
        if (quote === -1) break;
        this.quotedCr = false;
        this.state = 'quoteSeen';
        i = quote + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      if (this.state === 'quoteSeen') {
        if (c === QUOTE) {
          this.field += '"';
          this.state = 'quoted';
          i++;
          continue;
        }
        this.state = 'afterQuoted';
      }
      if (c === COMMA) {
        this.fields.push(this.field);
        this.field = '';
        this.state = 'fieldStart';
        this.started = true;
        i++;
        continue;
      }
      if (c === CR || c === LF) {
        if (this.started || this.state !== 'fieldStart') this.emit(out);
        this.line++;
        this.recordLine = this.line;
        if (c === CR) this.skipLf = true;
        i++;
        continue;
      }
      this.started = true;
      if (this.state === 'fieldStart' && c === QUOTE) {
        this.state = 'quoted';
        this.quoteOpenedOn = this.line;
        i++;
        continue;
      }
      if (c === QUOTE || this.state === 'afterQuoted') {
        this.markProblem('stray_quote', this.line);
        this.field += text[i];
        this.state = 'unquoted';
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === COMMA || d === CR || d === LF || d === QUOTE) break;
        j++;
      }
      this.field += text.slice(i, j);
      this.state = 'unquoted';
      i = j;
    }
    return out;
  }

  /** The end of the text: the last record, if it did not end with a line break. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.state === 'quoted') this.markProblem('unclosed_quote', this.quoteOpenedOn);
    if (this.started || this.state !== 'fieldStart') this.emit(out);
    return out;
  }

  private countBreaks(part: string): void {
    for (let k = 0; k < part.length; k++) {
      const c = part.charCodeAt(k);
      if (c === CR) {
        this.line++;
        this.quotedCr = true;
      } else {
        if (c === LF && !this.quotedCr) this.line++;
        this.quotedCr = false;
      }
    }
  }

  private markProblem(problem: CsvRecordProblem, line: number): void {
    if (this.problem) return;
    this.problem = problem;
    this.problemLine = line;
  }

  private emit(out: CsvRecord[]): void {
    this.fields.push(this.field);
    const record: CsvRecord = { line: this.recordLine, fields: this.fields };
    if (this.problem) {
      record.problem = this.problem;
      record.problemLine = this.problemLine ?? this.recordLine;
    }
    out.push(record);
    this.fields = [];
    this.field = '';
    this.state = 'fieldStart';
    this.started = false;
    this.problem = undefined;
    this.problemLine = undefined;
  }
}

/** Every record of a whole text (tests and small inputs; large files go through CsvReader). */
export function parseCsv(text: string): CsvRecord[] {
  const reader = new CsvReader();
  return [...reader.push(text), ...reader.end()];
}

/**
 * One record as RFC 4180 writes it (no line break): a field is quoted when it holds a comma, a
 * quote, a line break or leading/trailing spaces, and a record of one empty field is written `""`
 * so it is not read back as an empty line.
 */
export function csvRecord(fields: readonly string[]): string {
  if (fields.length === 1 && fields[0] === '') return '""';
  return fields.map(csvField).join(',');
}

export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
