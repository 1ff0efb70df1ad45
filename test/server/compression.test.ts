import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressBody, compressibleType, negotiateCoding, varyWithEncoding } from '../../src/server/compression.ts';

describe('negotiateCoding', () => {
  it('prefers Brotli, then gzip, and sends as it is when neither is accepted', () => {
    expect(negotiateCoding('gzip, deflate, br')).toBe('br');
    expect(negotiateCoding('gzip, deflate')).toBe('gzip');
    expect(negotiateCoding('x-gzip')).toBe('gzip');
    expect(negotiateCoding('*')).toBe('gzip');
    expect(negotiateCoding('identity')).toBeNull();
    expect(negotiateCoding('deflate')).toBeNull();
    expect(negotiateCoding('')).toBeNull();
    expect(negotiateCoding(undefined)).toBeNull();
  });

  it('takes q=0 as a refusal, whatever its spelling', () => {
    expect(negotiateCoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateCoding('br; q=0.0, gzip;q=0.000')).toBeNull();
    expect(negotiateCoding('BR;Q=0, GZIP;q=0.5')).toBe('gzip');
    expect(negotiateCoding('br;q=0.001')).toBe('br');
  });

  it('never answers with a coding the header refused or did not name', () => {
    const coding = fc.constantFrom('br', 'gzip', 'deflate', 'identity', 'zstd', '*');
    const q = fc.constantFrom('', ';q=0', ';q=0.5', ';q=1', '; q=0.0');
    fc.assert(
      fc.property(fc.array(fc.tuple(coding, q), { maxLength: 5 }), (parts) => {
        const header = parts.map(([c, w]) => `${c}${w}`).join(', ');
        const chosen = negotiateCoding(header);
        const accepted = (name: string) => parts.some(([c, w]) => c === name && !/q=0(?:\.0)?$/.test(w));
        if (chosen === 'br') expect(accepted('br')).toBe(true);
        if (chosen === 'gzip') expect(accepted('gzip') || accepted('*')).toBe(true);
        if (chosen === null) expect(accepted('br') || accepted('gzip') || accepted('*')).toBe(false);
      }),
    );
  });
});

describe('compressibleType', () => {
  it('takes HTML, CSS, JavaScript, JSON and SVG; not images, fonts or CSV downloads', () => {
    for (const type of ['text/html', 'text/css', 'text/javascript; charset=utf-8', 'application/json; charset=utf-8']) {
      expect(compressibleType(type), type).toBe(true);
    }
    expect(compressibleType('application/problem+json')).toBe(true);
    expect(compressibleType('image/svg+xml')).toBe(true);
    for (const type of ['image/png', 'font/woff2', 'text/csv; charset=utf-8', 'application/octet-stream', '']) {
      expect(compressibleType(type), type).toBe(false);
    }
    expect(compressibleType(undefined)).toBe(false);
  });
});

describe('varyWithEncoding', () => {
  it('adds Accept-Encoding once, keeping what is there', () => {
    expect(varyWithEncoding(undefined)).toBe('Accept-Encoding');
    expect(varyWithEncoding('Origin')).toBe('Origin, Accept-Encoding');
    expect(varyWithEncoding('Origin, accept-encoding')).toBe('Origin, accept-encoding');
    expect(varyWithEncoding(['Origin', 'Cookie'])).toBe('Origin, Cookie, Accept-Encoding');
    expect(varyWithEncoding('*')).toBe('*');
  });
});

describe('compressBody', () => {
  it('round-trips through Brotli and gzip, smaller than it came', async () => {
    const body = Buffer.from('<p>您的还款提醒是真的吗？</p>'.repeat(100));
    const br = await compressBody(body, 'br');
    const gz = await compressBody(body, 'gzip');
    expect(brotliDecompressSync(br).equals(body)).toBe(true);
    expect(gunzipSync(gz).equals(body)).toBe(true);
    expect(br.length).toBeLessThan(body.length / 4);
  });
});
