import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Stage } from '../../src/core/eligibility.ts';
import { chooseWording, type StageTemplates } from '../../src/core/template-choice.ts';
import { variantBucket, variantFor } from '../../src/core/template-variants.ts';
import { DEFAULT_TEMPLATES } from '../../src/core/templates.ts';
import { newId, newSortableId } from '../../src/db/ids.ts';

// An experiment splits a stage's loans by a stable hash: the same loan always gets the same
// variant, and the share asked for is the share that gets B (within sampling error).

const stage = fc.constantFrom<Stage>('gentle', 'firm', 'final');
const share = fc.integer({ min: 0, max: 100 });
/** Ids as the database makes them: random, or time-ordered (a shared prefix, then random bytes). */
const loanId = fc.oneof(
  fc.constant(null).map(() => newId()),
  fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }).map((ms) => newSortableId(ms)),
  fc.string({ minLength: 1, maxLength: 40 }),
);

describe('variantFor', () => {
  it('is stable: the same loan and stage always get the same variant', () => {
    fc.assert(
      fc.property(loanId, stage, share, (id, s, p) => {
        const first = variantFor(id, s, p);
        for (let i = 0; i < 3; i++) expect(variantFor(`${id}`, s, p)).toBe(first);
      }),
    );
  });

  it('share 0 sends nobody B, share 100 everybody', () => {
    fc.assert(
      fc.property(loanId, stage, (id, s) => {
        expect(variantFor(id, s, 0)).toBe('A');
        expect(variantFor(id, s, 100)).toBe('B');
      }),
    );
  });

  it('raising the share only moves loans from A to B', () => {
    fc.assert(
      fc.property(loanId, stage, share, share, (id, s, p, q) => {
        const [low, high] = p <= q ? [p, q] : [q, p];
        if (variantFor(id, s, low) === 'B') expect(variantFor(id, s, high)).toBe('B');
      }),
    );
  });

  it('respects the share within sampling error, for random and for time-ordered ids', () => {
    const SAMPLE = 4_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }),
        stage,
        fc.boolean(),
        fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
        (p, s, sortable, start) => {
          let b = 0;
          for (let i = 0; i < SAMPLE; i++) {
            // time-ordered ids made a millisecond apart, as a bulk import makes them
            const id = sortable ? newSortableId(start + i) : newId();
            if (variantFor(id, s, p) === 'B') b++;
          }
          // the standard error is at most 0.5/√4000 ≈ 0.8 points: 4 points is five of them
          expect(Math.abs(b / SAMPLE - p / 100)).toBeLessThan(0.04);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('even sequential ids fill every bucket', () => {
    const buckets = new Array(100).fill(0);
    for (let i = 0; i < 20_000; i++) buckets[variantBucket(`L${String(i).padStart(6, '0')}`, 'firm')]++;
    // 200 expected per bucket
    expect(Math.min(...buckets)).toBeGreaterThan(130);
    expect(Math.max(...buckets)).toBeLessThan(270);
  });

  it('splits each stage on its own: a loan in B at one stage is not always in B at the next', () => {
    const ids = Array.from({ length: 2_000 }, () => newId());
    const same = ids.filter((id) => variantFor(id, 'gentle', 50) === variantFor(id, 'firm', 50)).length;
    expect(same / ids.length).toBeGreaterThan(0.4);
    expect(same / ids.length).toBeLessThan(0.6);
  });
});

describe('chooseWording', () => {
  const policy = {
    templates: { 'firm.zh-CN': '{signature}政策文字{amount}{penalty}{dueDate}{channel}{hotline}{link}{code}' },
  };
  const active = { id: 'v1', body: 'ACTIVE' };
  const variant = { id: 'v2', body: 'VARIANT' };
  const saved = (s: Partial<StageTemplates>): StageTemplates => ({ active: null, variant: null, share: 0, ...s });

  it.each([
    [
      'nothing saved, no policy wording: the built-in one',
      undefined,
      {},
      'gentle',
      DEFAULT_TEMPLATES['gentle.zh-CN'],
      null,
    ],
    ['nothing saved: the policy’s wording', undefined, policy.templates, 'firm', policy.templates['firm.zh-CN'], null],
    [
      'back to built-in (no active version): the policy’s wording',
      saved({}),
      policy.templates,
      'firm',
      policy.templates['firm.zh-CN'],
      null,
    ],
    ['an active version wins over the policy’s', saved({ active }), policy.templates, 'firm', 'ACTIVE', 'v1'],
  ] as const)('%s', (_, s, templates, st, body, versionId) => {
    expect(chooseWording(s, { templates }, st, 'zh-CN', 'loan-1')).toEqual({ body, versionId, variant: null });
  });

  it('an experiment sends B to the loans whose bucket is under the share, A to the rest', () => {
    const ids = Array.from({ length: 500 }, () => newId());
    for (const id of ids) {
      const choice = chooseWording(saved({ active, variant, share: 30 }), { templates: {} }, 'firm', 'zh-CN', id);
      if (variantBucket(id, 'firm') < 30) expect(choice).toEqual({ body: 'VARIANT', versionId: 'v2', variant: 'B' });
      else expect(choice).toEqual({ body: 'ACTIVE', versionId: 'v1', variant: 'A' });
    }
  });

  it('an experiment against the built-in wording: A has no version', () => {
    const id = Array.from({ length: 100 }, () => newId()).find((i) => variantFor(i, 'gentle', 50) === 'A') ?? '';
    expect(chooseWording(saved({ variant, share: 50 }), { templates: {} }, 'gentle', 'en', id)).toEqual({
      body: DEFAULT_TEMPLATES['gentle.en'],
      versionId: null,
      variant: 'A',
    });
  });
});
