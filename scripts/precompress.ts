import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * After a build: every text file of the client output over 1 KB gets a `.br` (Brotli 11) and a
 * `.gz` (gzip 9) beside it, which scripts/serve.ts sends as they are. Compressing at the best
 * levels once costs the build well under a second and no request anything. A compressed copy is
 * written only when it is smaller, and takes the original's modification time.
 */

export const PRECOMPRESSED = new Set(['.css', '.js', '.mjs', '.svg', '.json', '.txt', '.html', '.xml', '.map']);
const MIN_BYTES = 1024;

export function precompress(dir: string): number {
  let written = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) {
      written += precompress(path);
      continue;
    }
    if (!PRECOMPRESSED.has(extname(name)) || stat.size < MIN_BYTES) continue;
    const body = readFileSync(path);
    const variants: Array<[string, Buffer]> = [
      [
        '.br',
        brotliCompressSync(body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
      ],
      ['.gz', gzipSync(body, { level: 9 })],
    ];
    for (const [suffix, encoded] of variants) {
      if (encoded.length >= body.length) continue;
      writeFileSync(path + suffix, encoded);
      utimesSync(path + suffix, stat.atime, stat.mtime);
      written++;
    }
  }
  return written;
}

if (import.meta.main) {
  const dir = process.argv[2] ?? 'dist/client';
  console.log(`precompressed: ${precompress(dir)} files in ${dir}`);
}
