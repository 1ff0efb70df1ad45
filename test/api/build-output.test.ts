import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

// The built server (test/support/global-setup.ts builds it): astro.config.mjs rewrites Astro's
// per-request page imports into loaders that keep their first promise. Should Astro change the
// code it generates, this says so instead of the site silently getting slower.

it('loads every page module once, not on every request', () => {
  const entry = readFileSync('dist/server/entry.mjs', 'utf8');
  const loaders = [...entry.matchAll(/var (_page\d+) = (.*);/g)];
  expect(loaders.length).toBeGreaterThan(20);
  for (const [, name, body] of loaders)
    expect(body, name).toMatch(new RegExp(`^\\(\\) => ${name}\\$loaded \\?\\?= import\\(`));
});

it('hashes each inline style for the CSP once, not on every request', () => {
  const chunks = readdirSync('dist/server/chunks').map((name) => readFileSync(`dist/server/chunks/${name}`, 'utf8'));
  const digests = chunks.filter((code) => code.includes('function generateCspDigest('));
  expect(digests.length).toBeGreaterThan(0);
  for (const code of digests) expect(code).toContain('cspDigests$memo');
});

it('builds the API router beside the server, sharing its modules, and compresses the static files', () => {
  const router = readFileSync('dist/server/api.mjs', 'utf8');
  expect(router).toMatch(/export \{[^}]*handleApi/);
  // The database connection is the server's own chunk, not a copy.
  expect(router).not.toContain('function connection(');
  expect(existsSync('dist/client/widget/v1.js.br')).toBe(true);
  expect(existsSync('dist/client/widget/v1.js.gz')).toBe(true);
});
