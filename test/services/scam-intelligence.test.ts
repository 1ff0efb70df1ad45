import { expect, it } from 'vitest';
import { ConflictError } from '../../src/core/errors.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { CONFIRMED_ITEMS_CACHE_MS } from '../../src/db/repositories/scam-reports.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { recentWithdrawals, withdrawConfirmation } from '../../src/services/scam-intelligence.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import {
  findActiveStaff,
  recordScamReport,
  reportedItems,
  type StaffMember,
  staffCheck,
  takedownCsv,
} from '../../src/services/staff-workbench.ts';
import { verify } from '../../src/services/verification.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderProfile } from '../support/factories.ts';

// Shared scam intelligence: a domain or number confirmed in one lender's scam report is a decisive
// sign in every lender's checks, until staff withdraw the confirmation.

const SCAM = '【青禾消费金融】您的账户将被冻结，请访问 https://pay.qinghe-xf.top/unfreeze 或致电 139 1234 5678。';
const ANXIN_SCAM = '【安信消费金融】您的借款已逾期，请访问 https://qinghe-xf.top/anxin 还款。';
// Another lender's borrower gets a text naming the same domain and number, written differently.
const ANXIN_CHECK = '【安信消费金融】您的借款已逾期，请登录 QINGHE-XF.TOP 处理，或联系专员 +86 139-1234-5678。';

// Fixed instants: 01:30 on 24 November in Shanghai is still the 23rd in UTC.
const FIRST = new Date('2026-11-23T17:30:00Z');
const SECOND = new Date('2026-11-26T02:00:00Z');
const CHECKED = new Date('2026-11-27T02:00:00Z');
// Withdrawals a minute apart, so the audit log and the history have an order to show.
const minuteAfterCheck = (n: number) => new Date(CHECKED.getTime() + n * 60_000);

const PASSWORD = 'a long enough password';

describeEachDialect('shared scam intelligence', (get) => {
  const db = () => get().connection.db;
  let support: StaffMember;
  let qingheAgent: StaffMember;
  let anxinAgent: StaffMember;
  let anxin = lenderProfile('anxin', {
    name: '安信消费金融',
    nameEn: 'Anxin Consumer Finance',
    smsSignature: '安信消费金融',
    domains: ['anxin-cf.com'],
    shortLinkDomain: 'axcf.cn',
    hotlines: [{ number: '95123', hours: '09:00–21:00' }],
  });

  const reportedSigns = async (body: Record<string, string>, locale: 'zh-CN' | 'en' = 'en') => {
    const { answer } = await verify(db(), body, locale, CHECKED);
    return answer.indicators.filter((i) => i.id === 'reported_scam');
  };
  const withdrawals = async () => (await db().selectFrom('scam_item_withdrawals').select('id').execute()).length;
  const withdrawalAudit = () =>
    db().selectFrom('audit_log').selectAll().where('action', '=', 'staff.scam_item_withdrawn').orderBy('at').execute();

  it('seeds two lenders and staff: one for every lender, one for each', async () => {
    await seedDemo(db(), new Date('2026-11-20T01:00:00Z'));
    anxin = await upsertLender(db(), anxin, FIRST.toISOString());
    const make = async (email: string, lender?: string) => {
      const { id } = await createStaffUser(db(), email, PASSWORD, FIRST, lender);
      return (await findActiveStaff(db(), id)) as StaffMember;
    };
    support = await make('support@zhenxin.example');
    qingheAgent = await make('agent@qinghe-xf.cn', 'demo');
    anxinAgent = await make('agent@anxin-cf.com', 'anxin');
    expect(anxinAgent.lenderId).toBe(anxin.id);
    expect(await reportedSigns({ lender: 'anxin', text: ANXIN_CHECK })).toEqual([]);
  });

  it("makes a confirmed report's domain and number a decisive sign in another lender's checks", async () => {
    const report = await recordScamReport(db(), support, { text: SCAM, tags: ['lookalike_link'] }, null, FIRST);
    expect(report.items).toEqual([
      { kind: 'domain', value: 'qinghe-xf.top' },
      { kind: 'number', value: '+8613912345678' },
    ]);
    const { answer } = await verify(db(), { lender: 'anxin', text: ANXIN_CHECK }, 'en', CHECKED);
    expect(answer.risk).toBe('high');
    const signs = answer.indicators.filter((i) => i.id === 'reported_scam');
    expect(signs.map((s) => [s.evidence, s.severity])).toEqual([
      ['qinghe-xf.top', 'high'],
      ['+8613912345678', 'high'],
    ]);
    for (const sign of signs) {
      expect(sign.explanation).toContain('reported once since 24 Nov 2026');
      expect(sign.explanation).toContain('95123');
    }
    // with no lender named, in Chinese, and in the staff workbench
    const [zh] = await reportedSigns({ text: '请登录 https://www.qinghe-xf.top 处理' }, 'zh-CN');
    expect(zh?.explanation).toContain('自2026年11月24日起被举报 1 次');
    const check = await staffCheck(db(), anxinAgent, ANXIN_CHECK, 'en', null, CHECKED);
    expect(check.verification.answer.indicators.map((i) => i.id)).toContain('reported_scam');
  });

  it('counts every standing report of an item and dates it from the first', async () => {
    await recordScamReport(db(), anxinAgent, { text: ANXIN_SCAM, tags: ['lookalike_link'] }, null, SECOND);
    const [domain, number] = await reportedSigns({ lender: 'anxin', text: ANXIN_CHECK }, 'zh-CN');
    expect(domain?.explanation).toContain('自2026年11月24日起被举报 2 次');
    expect(number?.explanation).toContain('自2026年11月24日起被举报 1 次');
    // staff limited to a lender see only that lender's reports of it
    expect((await reportedItems(db(), anxinAgent)).map((i) => [i.value, i.reports])).toEqual([['qinghe-xf.top', 1]]);
  });

  it("lets staff of one lender withdraw only that lender's confirmations", async () => {
    await expect(
      withdrawConfirmation(db(), anxinAgent, { item: 'number:+8613912345678', reason: 'not ours' }, null, CHECKED),
    ).rejects.toMatchObject({ status: 409, field: 'item' });
    expect(await withdrawals()).toBe(0);
    expect(await withdrawalAudit()).toEqual([]);

    const mine = await withdrawConfirmation(
      db(),
      qingheAgent,
      { item: 'domain:qinghe-xf.top', reason: 'reported in error' },
      '10.0.0.9',
      minuteAfterCheck(1),
    );
    expect(mine).toMatchObject({ kind: 'domain', value: 'qinghe-xf.top', reports: 1, stillConfirmed: true });
    // Anxin's own report of it stands: still a sign, now counted from that report.
    const [domain] = await reportedSigns({ lender: 'anxin', text: ANXIN_CHECK });
    expect(domain?.evidence).toBe('qinghe-xf.top');
    expect(domain?.explanation).toContain('reported once since 26 Nov 2026');
    expect((await reportedItems(db(), qingheAgent)).map((i) => i.value)).toEqual(['+8613912345678']);

    const everyone = await withdrawConfirmation(
      db(),
      support,
      { item: 'domain:qinghe-xf.top', reason: 'reported in error' },
      null,
      minuteAfterCheck(2),
    );
    expect(everyone).toMatchObject({ reports: 1, stillConfirmed: false });
    expect((await reportedSigns({ lender: 'anxin', text: ANXIN_CHECK })).map((s) => s.evidence)).toEqual([
      '+8613912345678',
    ]);
  });

  it('takes a withdrawn number out of every check and the takedown list, audited with the number masked', async () => {
    const withdrawn = await withdrawConfirmation(
      db(),
      support,
      { item: 'number:+8613912345678', reason: '这是借款人本人的号码 139 1234 5678，误报' },
      '10.0.0.7',
      minuteAfterCheck(3),
    );
    expect(withdrawn).toMatchObject({ kind: 'number', reports: 1, stillConfirmed: false });
    expect(await reportedSigns({ lender: 'anxin', text: ANXIN_CHECK })).toEqual([]);
    expect(await reportedSigns({ text: SCAM })).toEqual([]);
    const items = await reportedItems(db(), support);
    expect(items).toEqual([]);
    expect(takedownCsv(items)).not.toContain('8613912345678');

    const audit = await withdrawalAudit();
    expect(audit).toHaveLength(3);
    const last = audit.at(-1);
    expect(last).toMatchObject({
      actor_kind: 'staff',
      actor_id: support.id,
      ip: '10.0.0.7',
      subject: `scam_item_withdrawal:${withdrawn.id}`,
    });
    expect(JSON.parse(last?.details ?? '{}')).toMatchObject({
      kind: 'number',
      item: '139****5678',
      reports: 1,
      scope: 'all',
    });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({
      kind: 'domain',
      item: 'qinghe-xf.top',
      reason: 'reported in error',
      scope: 'lender',
    });
    for (const row of audit) {
      expect(row.details).not.toMatch(/13912345678|1234 5678/);
    }
    const history = await recentWithdrawals(db(), support);
    expect(history[0]).toMatchObject({ kind: 'number', reports: 1, staffEmail: 'support@zhenxin.example' });
    // staff of one lender see their lender's withdrawals only
    expect((await recentWithdrawals(db(), qingheAgent)).map((w) => w.value)).toEqual(['qinghe-xf.top']);
  });

  it('refuses bad input naming the field, changing nothing', async () => {
    const before = await withdrawals();
    const cases: Array<[unknown, string]> = [
      [{}, 'item'],
      [{ item: '', reason: 'x' }, 'item'],
      [{ item: 42, reason: 'x' }, 'item'],
      [{ item: 'phone:+8613912345678', reason: 'x' }, 'item'],
      [{ item: 'domain:', reason: 'x' }, 'item'],
      [{ item: 'domain:qinghe-xf.top', reason: '   ' }, 'reason'],
      [{ item: 'domain:qinghe-xf.top' }, 'reason'],
      [{ item: 'domain:qinghe-xf.top', reason: 'x'.repeat(201) }, 'reason'],
    ];
    for (const [input, field] of cases) {
      await expect(
        withdrawConfirmation(db(), support, input, null, CHECKED),
        JSON.stringify(input),
      ).rejects.toMatchObject({ status: 400, field });
    }
    await expect(
      withdrawConfirmation(db(), support, { item: 'domain:never-reported.top', reason: 'x' }, null, CHECKED),
    ).rejects.toBeInstanceOf(ConflictError);
    // already withdrawn: nothing left to withdraw
    await expect(
      withdrawConfirmation(db(), support, { item: 'domain:qinghe-xf.top', reason: 'again' }, null, CHECKED),
    ).rejects.toMatchObject({ code: 'not_reported', field: 'item' });
    expect(await withdrawals()).toBe(before);
  });

  it('confirms a withdrawn item again when it is reported again, counted afresh', async () => {
    const again = new Date('2026-12-01T02:00:00Z');
    await recordScamReport(db(), support, { text: SCAM, tags: ['lookalike_link'] }, null, again);
    const signs = await reportedSigns({ lender: 'anxin', text: ANXIN_CHECK });
    expect(signs.map((s) => s.evidence)).toEqual(['qinghe-xf.top', '+8613912345678']);
    for (const sign of signs) expect(sign.explanation).toContain('reported once since 1 Dec 2026');
    expect((await reportedItems(db(), support)).map((i) => [i.value, i.reports, i.firstSeen])).toEqual([
      ['+8613912345678', 1, again.toISOString()],
      ['qinghe-xf.top', 1, again.toISOString()],
    ]);
  });

  it('lets official status win: a domain a lender registers after it was reported is never a sign', async () => {
    const text = '【安信消费金融】还款请访问 https://anxin-help.com/pay';
    await recordScamReport(db(), support, { text, tags: ['impersonation'] }, null, SECOND);
    expect((await reportedSigns({ text })).map((s) => s.evidence)).toEqual(['anxin-help.com']);
    anxin = await upsertLender(db(), { ...anxin, domains: ['anxin-cf.com', 'anxin-help.com'] }, CHECKED.toISOString());
    const { answer } = await verify(db(), { text }, 'en', CHECKED);
    expect(answer.indicators).toEqual([]);
    expect(answer.risk).toBe('none');
    // and the service reads the confirmed items again at least every second
    expect(CONFIRMED_ITEMS_CACHE_MS).toBeLessThanOrEqual(1_000);
  });
});
