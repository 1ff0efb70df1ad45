/**
 * multipart/form-data (RFC 7578) read as it arrives, for file uploads: a part's content is
 * handed on a piece at a time and never gathered whole, so a 50 MB upload does not sit in
 * memory (Request.formData() would hold all of it). Parts come as events: `part` (its name,
 * file name and type), then `data` pieces, then `end`.
 */

export interface MultipartPart {
  name: string;
  /** The file name the browser gave, or null for a plain field. */
  filename: string | null;
  contentType: string | null;
}

export type MultipartEvent =
  | { kind: 'part'; part: MultipartPart }
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'end' };

export class MultipartError extends Error {}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary of a multipart/form-data content type, or null. */
export function multipartBoundary(contentType: string | null): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

export async function* readMultipart(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
): AsyncGenerator<MultipartEvent> {
  // Every delimiter is CRLF "--" boundary; the first one may start the body without the CRLF.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let buffer: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done' = 'preamble';

  for await (const chunk of body) {
    if (state === 'done') continue;
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = buffer.indexOf(delimiter);
        if (at === -1) {
          // Keep what could be the start of a delimiter split between two chunks.
          const safe = Math.max(0, buffer.length - (delimiter.length - 1));
          if (state === 'body' && safe > 0) yield { kind: 'data', bytes: buffer.subarray(0, safe) };
          if (state === 'preamble' && safe > MAX_HEADER_BYTES) throw new MultipartError('no multipart boundary found');
          buffer = buffer.subarray(safe);
          break;
        }
        if (state === 'body') {
          if (at > 0) yield { kind: 'data', bytes: buffer.subarray(0, at) };
          yield { kind: 'end' };
        }
        buffer = buffer.subarray(at + delimiter.length);
        state = 'afterDelimiter';
        continue;
      }
      if (state === 'afterDelimiter') {
        if (buffer.length < 2) break;
        if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
          state = 'done';
          break;
        }
        const lineEnd = buffer.indexOf(CRLF);
        if (lineEnd === -1) {
          if (buffer.length > 256) throw new MultipartError('malformed multipart delimiter');
          break;
        }
        // Transport padding (spaces, tabs) may follow a delimiter.
        if (!/^[ \t]*$/.test(buffer.subarray(0, lineEnd).toString('latin1'))) {
          throw new MultipartError('malformed multipart delimiter');
        }
        buffer = buffer.subarray(lineEnd + 2);
        state = 'headers';
        continue;
      }
      if (state === 'headers') {
        const end = buffer.indexOf(HEADER_END);
        // A part without headers starts its content straight away.
        const empty = buffer.subarray(0, 2).equals(CRLF);
        if (end === -1 && !empty) {
          if (buffer.length > MAX_HEADER_BYTES) throw new MultipartError('multipart part headers too long');
          break;
        }
        const headerText = empty ? '' : buffer.subarray(0, end).toString('utf8');
        buffer = buffer.subarray(empty ? 2 : end + 4);
        yield { kind: 'part', part: parsePartHeaders(headerText) };
        state = 'body';
        continue;
      }
      break;
    }
  }
  if (state !== 'done') throw new MultipartError('the upload ended before its last part was complete');
}

function parsePartHeaders(text: string): MultipartPart {
  let name = '';
  let filename: string | null = null;
  let contentType: string | null = null;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') contentType = value;
    if (key !== 'content-disposition') continue;
    // Browsers quote the values, writing a quote as %22 and line breaks as %0D%0A (WHATWG HTML's
    // form encoding); a backslash is just a backslash.
    for (const param of value.matchAll(/;\s*([\w*-]+)\s*=\s*(?:"([^"]*)"|([^;]*))/g)) {
      const paramName = (param[1] ?? '').toLowerCase();
      const raw = param[2] ?? (param[3] ?? '').trim();
      const decoded = raw.replaceAll('%22', '"').replaceAll('%0D', '\r').replaceAll('%0A', '\n');
      if (paramName === 'name') name = decoded;
      else if (paramName === 'filename') filename = decoded;
    }
  }
  return { name, filename, contentType };
}
