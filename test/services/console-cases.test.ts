import { expect, it } from 'vitest';
import type { LenderProfile } from '../../src/core/lender.ts';
import { newId, nowIso } from '../../src/db/ids.ts';
import { insertBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { insertLoan, replaceInstalments } from '../../src/db/repositories/loans.ts';
import {
  BORROWERS_PER_PAGE,
  borrowerMatch,
  findBorrowers,
  readBorrowerSearch,
} from '../../src/services/console-borrowers.ts';
import { borrowerCase, CASE_REPLIES_LIMIT } from '../../src/services/console-case.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { sendManualReminder } from '../../src/services/manual-send.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';

// The console's borrower list and case page: found by id, name or number in any written form,
// only the console's own lender's borrowers, amounts due now against everything owed, the texts
// sent (by hand or by the schedule) and the borrower's replies. Demo anchored on 2026-11-24.

const SEEDED_AT = new Date('2026-11-24T01:00:00Z');
const AT_10 = new Date('2026-11-24T10:00:00+08:00');

describeEachDialect('the console borrower list and case page', (get) => {
  let demo: LenderProfile;
  let other: LenderProfile;
  const db = () => get().connection.db;
  const search = async (q: string, lender: LenderProfile = demo, page = 1) =>
    (await findBorrowers(db(), lender, { q, page }, AT_10)).items.map((i) => i.externalId);

  it('sets up the demo lender and another with a look-alike borrower and 30 more', async () => {
    await seedDemo(db(), SEEDED_AT);
    demo = (await findLenderBySlug(db(), 'demo')) as LenderProfile;
    other = (await lenderWithKey(db(), 'other')).lender;
    const at = nowIso(SEEDED_AT);
    // Same external id, name and number as the demo's B005: never shown in the demo's console.
    const twin = await insertBorrower(
      db(),
      { lenderId: other.id, externalId: 'B005', name: '刘洋', locale: 'zh-CN' },
      at,
    );
    await replaceCurrentPhone(db(), twin.id, { e164: '+8613800138005', source: 'lender', verifiedAt: at }, at);
    const loan = await insertLoan(
      db(),
      { lenderId: other.id, borrowerId: twin.id, externalId: 'L005', currency: 'CNY', policy: null },
      at,
    );
    await replaceInstalments(db(), loan.id, [{ dueDate: '2026-11-01', principal: 999_900, interest: 0 }]);
    for (let i = 0; i < 30; i++) {
      await insertBorrower(
        db(),
        { lenderId: other.id, externalId: `X${String(i).padStart(3, '0')}`, name: `客户${i}`, locale: 'zh-CN' },
        at,
      );
    }
  });

  it('lists every borrower of the lender a page at a time, by external id', async () => {
    const page = await findBorrowers(db(), demo, { q: '', page: 1 }, AT_10);
    expect(page).toMatchObject({ total: 22, pages: 1, page: 1 });
    expect(page.items.map((i) => i.externalId)).toEqual(
      Array.from({ length: 22 }, (_, i) => `B0${String(i + 1).padStart(2, '0')}`),
    );
    const others = await findBorrowers(db(), other, { q: '', page: 1 }, AT_10);
    expect(others).toMatchObject({ total: 31, pages: 2 });
    expect(others.items).toHaveLength(BORROWERS_PER_PAGE);
    expect(await search('', other, 2)).toEqual(['X024', 'X025', 'X026', 'X027', 'X028', 'X029']);
    expect(await search('', other, 3)).toEqual([]);
  });

  it('finds by external id (its start, any case) and by any part of the name', async () => {
    expect(await search('B005')).toEqual(['B005']);
    expect(await search('b00')).toEqual(['B001', 'B002', 'B003', 'B004', 'B005', 'B006', 'B007', 'B008', 'B009']);
    expect(await search('刘洋')).toEqual(['B005']);
    expect(await search('洋')).toEqual(['B005']);
    expect(await search('emily')).toEqual(['B017']);
    expect(await search('Ｅｍｉｌｙ')).toEqual(['B017']);
    expect(await search('005')).toEqual([]);
    // wildcards are plain characters
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    expect(await search('B0_5')).toEqual([]);
  });

  it('finds by the number in any common written form, and by its last digits', async () => {
    for (const q of [
      '13800138005',
      '138 0013 8005',
      '138-0013-8005',
      '+86 138 0013 8005',
      '+8613800138005',
      '0086 138 0013 8005',
      '１３８００１３８００５',
      '8005',
      '38005',
    ]) {
      expect(await search(q), q).toEqual(['B005']);
    }
    expect(await search('9123 4567')).toEqual(['B018']);
    expect(await search('+852 9123 4567')).toEqual(['B018']);
    expect(await search('138****8005')).toEqual([]);
    expect(await search('800')).toEqual([]);
    // every demo number ends 80NN except the Hong Kong one
    expect(await search('1380013')).toEqual([]);
    expect(borrowerMatch(' 138 0013 8005 ')).toEqual({
      text: '138 0013 8005',
      phoneE164: '+8613800138005',
      phoneDigits: '13800138005',
    });
  });

  it('shows only its own lender: the look-alike of another lender is never listed', async () => {
    const found = await findBorrowers(db(), demo, { q: '13800138005', page: 1 }, AT_10);
    expect(found.total).toBe(1);
    expect(found.items[0]).toMatchObject({ externalId: 'B005', dueNow: [{ currency: 'CNY', amount: 511_250 }] });
    const theirs = await findBorrowers(db(), other, { q: '刘洋', page: 1 }, AT_10);
    expect(theirs.items.map((i) => i.externalId)).toEqual(['B005']);
    expect(theirs.items[0]?.dueNow).not.toEqual([{ currency: 'CNY', amount: 511_250 }]);
  });

  it('shows each borrower masked, with open loans, days overdue and what is due now', async () => {
    const items = new Map(
      (await findBorrowers(db(), demo, { q: '', page: 1 }, AT_10)).items.map((i) => [i.externalId, i]),
    );
    // 500,000 + 7,500 + 15 days × 500,000 × 0.05%
    expect(items.get('B005')).toEqual({
      externalId: 'B005',
      name: '刘洋',
      maskedPhone: '138****8005',
      phoneVerified: true,
      phoneUnreachable: false,
      optedOut: false,
      disputed: false,
      openLoans: 1,
      daysOverdue: 15,
      dueNow: [{ currency: 'CNY', amount: 511_250 }],
    });
    expect(items.get('B009')).toMatchObject({ openLoans: 0, daysOverdue: 0, dueNow: [] });
    expect(items.get('B001')).toMatchObject({ openLoans: 1, daysOverdue: 0, dueNow: [] });
    // due today counts as due now
    expect(items.get('B002')).toMatchObject({ openLoans: 1, dueNow: [{ currency: 'CNY', amount: 152_250 }] });
    // two overdue instalments (35 days: 1,750 penalty; 5 days: 250) and one to come
    expect(items.get('B016')).toMatchObject({ daysOverdue: 35, dueNow: [{ currency: 'CNY', amount: 207_000 }] });
    // two loans, one in grace (no penalty shown yet)
    expect(items.get('B021')).toMatchObject({
      openLoans: 2,
      daysOverdue: 3,
      dueNow: [{ currency: 'CNY', amount: 121_800 }],
    });
    expect(items.get('B010')).toMatchObject({ phoneVerified: false });
    expect(items.get('B011')).toMatchObject({ phoneUnreachable: true });
    expect(items.get('B012')).toMatchObject({ optedOut: true });
    expect(items.get('B015')).toMatchObject({ disputed: true });
    expect(items.get('B018')?.maskedPhone).toBe('+852****4567');
  });

  it('reads the search form, naming the field it refuses', () => {
    expect(readBorrowerSearch(new URLSearchParams('q=+B005+'))).toEqual({ ok: true, q: 'B005', page: 1 });
    expect(readBorrowerSearch(new URLSearchParams('q=&page=3'))).toEqual({ ok: true, q: '', page: 3 });
    expect(readBorrowerSearch(new URLSearchParams(`q=${'x'.repeat(65)}`))).toMatchObject({ ok: false, field: 'q' });
    for (const page of ['0', '-1', 'abc', '1.5', '9999999']) {
      expect(readBorrowerSearch(new URLSearchParams({ q: 'B', page })), page).toMatchObject({
        ok: false,
        field: 'page',
      });
    }
  });

  it('opens a case: the borrower, each loan due now against all owed, pending requests', async () => {
    const view = await borrowerCase(db(), demo, 'B016', AT_10);
    expect(view.borrower).toMatchObject({
      externalId: 'B016',
      name: '胡斌',
      maskedPhone: '138****8016',
      optedOut: false,
    });
    expect(view.loans).toHaveLength(1);
    expect(view.loans[0]).toMatchObject({
      externalId: 'L016',
      dueNow: 207_000,
      outstanding: 308_000,
      daysOverdue: 35,
      settled: false,
      next: { dueDate: '2026-10-20', amount: 104_750 },
    });
    expect(view.loans[0]?.instalments.map((i) => i.status)).toEqual(['overdue', 'overdue', 'upcoming']);

    const pending = await borrowerCase(db(), demo, 'B013', AT_10);
    expect(pending.pendingRequests).toEqual([
      expect.objectContaining({ kind: 'extension', length: 15, loanRef: 'L013' }),
    ]);
    const flags = await borrowerCase(db(), demo, 'B015', AT_10);
    expect(flags.borrower).toMatchObject({ disputed: true });
  });

  it("answers not found for another lender's borrower, an unknown or a malformed id", async () => {
    for (const id of ['X001', 'B999', '../B005', '', 'B005 ']) {
      await expect(borrowerCase(db(), demo, id, AT_10), id).rejects.toMatchObject({ status: 404 });
    }
    // The other lender's B005 is its own borrower, not the demo's.
    const theirs = await borrowerCase(db(), other, 'B005', AT_10);
    expect(theirs.loans.map((l) => l.dueNow)).not.toContain(511_250);
  });

  it('lists every text sent, newest first, saying which were sent by hand and by whom', async () => {
    await runReminderCycle(db(), { now: AT_10, send: true, lender: 'demo' });
    const made = await createStaffUser(db(), 'admin@demo.cn', 'staff password 2026', SEEDED_AT, 'demo', 'lender_admin');
    await sendManualReminder(
      db(),
      {
        lender: demo,
        staff: { id: made.id, role: 'lender_admin', lenderId: demo.id },
        borrower: 'B005',
        loan: 'L005',
        overrideReason: '借款人要求再发一次还款信息',
        ip: null,
      },
      new Date('2026-11-24T11:00:00+08:00'),
    );
    const view = await borrowerCase(db(), demo, 'B005', AT_10);
    expect(view.history.total).toBe(2);
    const [manual, scheduled] = view.history.items;
    expect(manual).toMatchObject({
      manual: true,
      sentBy: 'admin@demo.cn',
      stage: 'firm',
      status: 'queued',
      loanRef: 'L005',
    });
    expect(scheduled).toMatchObject({ manual: false, sentBy: null, stage: 'firm', loanRef: 'L005' });
    for (const item of view.history.items) {
      expect(item.text).toContain('【青禾消费金融】');
      expect(item.text).not.toMatch(/\/r\/[A-Za-z0-9_-]{8}/);
    }
    // The look-alike at the other lender has no texts.
    expect((await borrowerCase(db(), other, 'B005', AT_10)).history.total).toBe(0);
  });

  it('lists the newest replies (rows of inbound_messages), counting the older ones beyond 20', async () => {
    const b005 = await db()
      .selectFrom('borrowers')
      .select('id')
      .where('lender_id', '=', demo.id)
      .where('external_id', '=', 'B005')
      .executeTakeFirstOrThrow();
    const twin = await db()
      .selectFrom('borrowers')
      .select('id')
      .where('lender_id', '=', other.id)
      .where('external_id', '=', 'B005')
      .executeTakeFirstOrThrow();
    const reply = (i: number, lenderId: string, borrowerId: string) => ({
      id: newId(),
      provider: 'dev',
      provider_message_id: `in-${lenderId}-${i}`,
      from_e164: '+8613800138005',
      to_number: null,
      body: `回复 ${i}`,
      kind: i === 0 ? 'opt_out' : 'reply',
      lender_id: lenderId,
      borrower_id: borrowerId,
      message_id: null,
      received_at: new Date(Date.parse('2026-11-24T03:00:00Z') + i * 60_000).toISOString(),
      handled_at: null,
      handled_by: null,
    });
    await db()
      .insertInto('inbound_messages')
      .values([...Array.from({ length: 25 }, (_, i) => reply(i, demo.id, b005.id)), reply(99, other.id, twin.id)])
      .execute();
    const view = await borrowerCase(db(), demo, 'B005', AT_10);
    expect(view.replies.total).toBe(25);
    expect(view.replies.items).toHaveLength(CASE_REPLIES_LIMIT);
    expect(view.replies.items[0]?.text).toBe('回复 24');
    expect(view.replies.items.at(-1)?.text).toBe('回复 5');
    expect(view.replies.items.map((r) => r.text)).not.toContain('回复 99');
    expect((await borrowerCase(db(), other, 'B005', AT_10)).replies.items.map((r) => r.text)).toEqual(['回复 99']);
  });
});
