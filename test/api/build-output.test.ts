import { readFileSync } from 'node:fs';
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
