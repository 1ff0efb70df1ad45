import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { newId, nowIso } from '../../src/db/ids.ts';
import { LENDER_CACHE_MS, listLendersCached, upsertLender } from '../../src/db/repositories/lenders.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderProfile } from '../support/factories.ts';

// CONTRACT.md: a lender's change is seen by every running process within a second. Another
// process's write is invisible to this one's cache until it expires; the clock is moved by hand.

const T0 = new Date('2026-11-24T02:00:00.000Z').getTime();

describeEachDialect('the lender cache', (get) => {
  beforeEach(() => {
    // Only Date: the database drivers keep their real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is at most a second old: another process changing a lender is seen once a second has passed', async () => {
    expect(LENDER_CACHE_MS).toBeLessThanOrEqual(1_000);
    const { db } = get().connection;
    await upsertLender(db, lenderProfile('cached', { widgetOrigins: ['https://old.cached.example.cn'] }), nowIso());
    vi.setSystemTime(T0);
    const origins = async () => (await listLendersCached(db)).find((l) => l.slug === 'cached')?.widgetOrigins;
    expect(await origins()).toEqual(['https://old.cached.example.cn']);
    // As another process writes: straight to the table, so this process's cache is not told.
    await db
      .updateTable('lenders')
      .set({ widget_origins: JSON.stringify(['https://new.cached.example.cn']) })
      .where('slug', '=', 'cached')
      .execute();
    vi.setSystemTime(T0 + 999);
    expect(await origins()).toEqual(['https://old.cached.example.cn']);
    vi.setSystemTime(T0 + 1_000);
    expect(await origins()).toEqual(['https://new.cached.example.cn']);
  });

  it('shows a change made through this process at once', async () => {
    const { db } = get().connection;
    vi.setSystemTime(T0 + 10_000);
    await listLendersCached(db);
    await upsertLender(db, { ...lenderProfile('added'), id: newId() }, nowIso());
    expect((await listLendersCached(db)).map((l) => l.slug)).toContain('added');
  });
});
