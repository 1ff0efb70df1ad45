import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MultipartError, multipartBoundary, readMultipart } from '../../src/server/multipart.ts';

// The streaming multipart reader against what a real encoder sends (undici's FormData, as a
// browser would): every field and file comes back byte for byte however the body is cut, and a
// body cut short is an error, never a silently shortened file.

async function encode(form: FormData): Promise<{ bytes: Uint8Array; boundary: string }> {
  const response = new Response(form);
  const boundary = multipartBoundary(response.headers.get('content-type'));
  if (!boundary) throw new Error('no boundary');
  return { bytes: new Uint8Array(await response.arrayBuffer()), boundary };
}

async function* pieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  for (const point of points) {
    yield bytes.subarray(start, point);
    start = point;
  }
  yield bytes.subarray(start);
}

interface ReadPart {
  name: string;
  filename: string | null;
  content: Uint8Array;
}

async function readAll(source: AsyncIterable<Uint8Array>, boundary: string): Promise<ReadPart[]> {
  const parts: ReadPart[] = [];
  let chunks: Uint8Array[] = [];
  let current: { name: string; filename: string | null } | undefined;
  for await (const event of readMultipart(source, boundary)) {
    if (event.kind === 'part') {
      current = { name: event.part.name, filename: event.part.filename };
      chunks = [];
    } else if (event.kind === 'data') chunks.push(Uint8Array.from(event.bytes));
    else if (current) parts.push({ ...current, content: Buffer.concat(chunks) });
  }
  return parts;
}

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  // Text that looks like a delimiter or its beginning.
  fc
    .array(fc.constantFrom('\r\n', '--', '-', '\r', 'x', '\r\n--', '\r\n\r\n'), { maxLength: 20 })
    .map((parts) => new TextEncoder().encode(parts.join(''))),
);
const fieldName = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[\r\n"%]/.test(s));

describe('multipart reader', () => {
  it('reads back every field and file, however the body is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: fieldName, file: fc.option(fieldName), content: bytes }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (parts, cuts) => {
          const form = new FormData();
          for (const part of parts) {
            if (part.file === null) form.append(part.name, new TextDecoder().decode(part.content));
            else form.append(part.name, new Blob([part.content]), part.file);
          }
          const { bytes: body, boundary } = await encode(form);
          const read = await readAll(pieces(body, cuts), boundary);
          expect(read.map((p) => [p.name, p.filename])).toEqual(parts.map((p) => [p.name, p.file]));
          parts.forEach((part, i) => {
            const expected =
              part.file === null
                ? new TextEncoder().encode(new TextDecoder().decode(part.content).replace(/\r?\n|\r/g, '\r\n'))
                : part.content;
            expect(Buffer.from(read[i]?.content ?? []).equals(Buffer.from(expected))).toBe(true);
          });
        },
      ),
    );
  });

  it('keeps a Chinese file name and finds the boundary in the content type', async () => {
    const form = new FormData();
    form.append('file', new Blob(['a,b\r\n']), '借款 "11月".csv');
    const { bytes: body, boundary } = await encode(form);
    const [part] = await readAll(pieces(body, [7, 50]), boundary);
    expect(part).toMatchObject({ name: 'file', filename: '借款 "11月".csv' });
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/x-www-form-urlencoded')).toBeNull();
  });

  it('refuses a body cut short before its last boundary', async () => {
    const form = new FormData();
    form.append('file', new Blob(['x'.repeat(1000)]), 'a.csv');
    const { bytes: body, boundary } = await encode(form);
    await expect(readAll(pieces(body.subarray(0, body.length - 10), []), boundary)).rejects.toThrow(MultipartError);
    await expect(readAll(pieces(new TextEncoder().encode('nothing here'), []), boundary)).rejects.toThrow(
      MultipartError,
    );
  });
});
