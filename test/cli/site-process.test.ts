import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEAP_FLAGS, SITE_SCRIPT, siteArguments } from '../../src/cli/site-process.ts';

// `npm run demo` serves through the program `npm start` runs (test/api/npm-start.test.ts starts
// it: site, schedule and purge), under the same heap limits.

const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the site process', () => {
  it('is what npm start runs, heap limits included', () => {
    expect(scripts.start).toBe(`node ${siteArguments().join(' ')}`);
    expect(SITE_SCRIPT).toBe('scripts/start.ts');
  });

  it('is what the demo serves with, after seeding under the same limits', () => {
    const main = readFileSync('src/cli/main.ts', 'utf8');
    expect(main).toMatch(/spawn\(process\.execPath, siteArguments\(\)/);
    expect(main).not.toMatch(/scripts\/serve\.ts/);
    expect(scripts.demo).toContain(`node ${HEAP_FLAGS.join(' ')} src/cli/main.ts demo`);
  });

  it('purges every hour', () => {
    expect(readFileSync(SITE_SCRIPT, 'utf8')).toMatch(/startHousekeeping\(connection, 60,/);
  });
});
