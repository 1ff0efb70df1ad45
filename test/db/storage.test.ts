import { expect, it } from 'vitest';
import * as phoneReplacedBy from '../../src/db/migrations/2026-11-24-0009-phone-replaced-by.ts';
import { findBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import type { Database } from '../../src/db/schema.ts';
import { DEMO_BORROWERS } from '../../src/services/demo-data.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { getBalance, postRepayment, putBorrower, putLoan } from '../../src/services/lender-api.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';

const TABLES: Array<keyof Database> = [
  'lenders',
  'borrowers',
  'phone_numbers',
  'loans',
  'instalments',
  'repayments',
  'requests',
];

describeEachDialect('storage', (get) => {
  const snapshot = async () => {
    const { db } = get().connection;
    const out: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      out[table] = await db.selectFrom(table).selectAll().orderBy('id').execute();
    }
    return out;
  };

  it('seeds the demo once: a second run changes nothing, even on a later day', async () => {
    const { db } = get().connection;
    const first = await seedDemo(db, new Date('2026-11-24T02:00:00Z'));
    expect(first).toMatchObject({ lender: 'demo', anchorDate: '2026-11-24', borrowersCreated: DEMO_BORROWERS.length });
    const before = await snapshot();
    const second = await seedDemo(db, new Date('2026-11-30T02:00:00Z'));
    expect(second.borrowersCreated).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('gives the demo every state the brief asks for', async () => {
    const { db } = get().connection;
    const lender = await findLenderBySlug(db, 'demo');
    expect(lender?.smsSignature).toBe('青禾消费金融');
    const states = new Set(DEMO_BORROWERS.map((b) => b.state));
    for (const state of [
      'not_yet_due',
      'in_grace',
      'overdue',
      'partly_repaid',
      'settled',
      'phone_unverified',
      'phone_unreachable',
      'opted_out',
      'extension_pending',
      'plan_active',
    ]) {
      expect(states).toContain(state);
    }
    expect(DEMO_BORROWERS.length).toBeGreaterThanOrEqual(20);
    if (!lender) return;
    // Balances as of the anchor day match each borrower's description (hand-worked):
    // L004: 5 days overdue → 200000 × 5 × 0.0005 = 500; L003: in grace → 0; L009: settled → 0.
    const at = new Date('2026-11-24T02:00:00Z');
    expect((await getBalance(db, lender, 'L004', {}, at)).penalty).toBe(500);
    expect(await getBalance(db, lender, 'L004', {}, at)).toMatchObject({ daysOverdue: 5, total: 203_500 }); // 200000 + 3000 + 500;
    expect(await getBalance(db, lender, 'L003', {}, at)).toMatchObject({ penalty: 0, daysOverdue: 2 });
    expect(await getBalance(db, lender, 'L009', {}, at)).toMatchObject({ total: 0, daysOverdue: 0 });
    // L008: 400000 + 6000 due 20 days ago, 206000 paid 8 days after due (past grace):
    // penalty then 400000 × 8 × 0.0005 = 1600, interest 6000, principal 198400 → 201600 left;
    // base days 3200000 + 12 × 201600 = 5619200 → 2809.6 → 2810 − 1600 = 1210.
    expect(await getBalance(db, lender, 'L008', {}, at)).toMatchObject({
      principal: 201_600,
      interest: 0,
      penalty: 1_210,
      daysOverdue: 20,
    });
    const unreachable = await findBorrower(db, lender.id, 'B011');
    expect(unreachable?.phone?.unreachable_at).not.toBeNull();
    const unverified = await findBorrower(db, lender.id, 'B010');
    expect(unverified?.phone?.verified_at).toBeNull();
  });

  it('keeps the phone history: one current number, the old one marked replaced', async () => {
    const { db } = get().connection;
    const lender = await findLenderBySlug(db, 'demo');
    const borrower = lender && (await findBorrower(db, lender.id, 'B001'));
    if (!borrower) throw new Error('demo borrower missing');
    await replaceCurrentPhone(
      db,
      borrower.borrower.id,
      { e164: '+8613700009999', source: 'borrower', verifiedAt: null },
      new Date().toISOString(),
    );
    const rows = await db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('borrower_id', '=', borrower.borrower.id)
      .orderBy('created_at')
      .execute();
    expect(rows.filter((r) => r.is_current === 1).map((r) => r.e164)).toEqual(['+8613700009999']);
    expect(rows.find((r) => r.e164 === '+8613800138001')?.replaced_at).not.toBeNull();
    expect(rows.find((r) => r.e164 === '+8613800138001')?.replaced_by).toBe('borrower');
  });

  it('fills in who replaced each earlier number when the replaced_by column arrives', async () => {
    const { db } = get().connection;
    // B001's numbers as the previous test left them: the lender's, replaced by the borrower's.
    await phoneReplacedBy.down(db);
    await phoneReplacedBy.up(db);
    const rows = await db
      .selectFrom('phone_numbers')
      .innerJoin('borrowers', 'borrowers.id', 'phone_numbers.borrower_id')
      .select(['phone_numbers.e164', 'phone_numbers.replaced_by'])
      .where('borrowers.external_id', 'in', ['B001', 'B002'])
      .orderBy('phone_numbers.e164')
      .execute();
    expect(rows).toEqual([
      { e164: '+8613700009999', replaced_by: null },
      { e164: '+8613800138001', replaced_by: 'borrower' },
      { e164: '+8613800138002', replaced_by: null },
    ]);
  });

  it('creates one borrower when the same PUT races with itself', async () => {
    const { db } = get().connection;
    const { lender } = await lenderWithKey(db, 'race');
    const actor = { keyId: 'k', ip: null };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => putBorrower(db, lender, actor, 'RACE1', { name: '甲', phone: '13812345678' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const rows = await db.selectFrom('borrowers').select('id').where('external_id', '=', 'RACE1').execute();
    expect(rows).toHaveLength(1);
    const phones = await db
      .selectFrom('phone_numbers')
      .select('id')
      .where('borrower_id', '=', rows[0]?.id ?? '')
      .execute();
    expect(phones).toHaveLength(1);
  });

  it('records every one of several simultaneous repayments, and a repeated key once', async () => {
    const { db } = get().connection;
    const lender = await findLenderBySlug(db, 'race');
    if (!lender) throw new Error('lender missing');
    await putLoan(db, lender, 'RACE-L', {
      borrower: 'RACE1',
      currency: 'CNY',
      instalments: [{ dueDate: '2026-06-01', principal: 100_000, interest: 0 }],
    });
    const pay = (key: string) =>
      postRepayment(db, lender, 'RACE-L', { amount: 1_000, paidOn: '2026-05-01', idempotencyKey: key });
    await Promise.all(['a', 'b', 'c', 'd', 'a', 'a'].map(pay));
    const balance = await getBalance(db, lender, 'RACE-L', { asOf: '2026-05-01' });
    expect(balance.principal).toBe(100_000 - 4 * 1_000);
  });
});
