import { describe, expect, it } from 'vitest';
import { webConcurrency } from '../../src/server/workers.ts';

describe('WEB_CONCURRENCY', () => {
  it('defaults to the cores available and accepts a whole number of workers', () => {
    expect(webConcurrency(undefined, 2)).toBe(2);
    expect(webConcurrency(' ', 8)).toBe(8);
    expect(webConcurrency(undefined, 0)).toBe(1);
    expect(webConcurrency('1', 8)).toBe(1);
    expect(webConcurrency('3', 2)).toBe(3);
  });

  it('refuses what is not a worker count, naming the variable', () => {
    for (const bad of ['0', '-2', '1.5', 'auto', '65']) {
      expect(() => webConcurrency(bad, 2), bad).toThrow(/WEB_CONCURRENCY must be a whole number from 1 to 64/);
    }
  });
});
