import { expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/core/errors.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import {
  findActiveStaff,
  maskName,
  recentReports,
  recordScamReport,
  reportedItems,
  type StaffMember,
  signInStaff,
  staffCheck,
  takedownCsv,
} from '../../src/services/staff-workbench.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderProfile } from '../support/factories.ts';

const SCAM =
  '【青禾消费金融】您的校园贷账户未注销将影响征信，请立即访问 https://qinghe-xf.top/cancel 或联系客服 400-800-1234，并将验证码告知专员。';
const OTHER_SCAM = '【青禾消费金融】您已逾期，请加微信客服，或访问 https://qinghe-xf.top/pay 转账到安全账户。';

// Reminders are sent on 24 November and checked an hour later, whatever the machine's clock says.
const CHECKED = new Date('2026-11-24T11:00:00+08:00');

describeEachDialect('support staff workbench', (get) => {
  let staff: StaffMember;
  let genuine = '';
  const db = () => get().connection.db;
  const audit = (action: string) =>
    db().selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('at').execute();

  it('seeds, sends the demo reminders and creates an agent', async () => {
    const connection = get().connection;
    await seedDemo(connection.db, new Date('2026-11-24T01:00:00Z'));
    await runReminderCycle(connection.db, { now: new Date('2026-11-24T10:00:00+08:00'), send: true });
    await dispatchOutbox(connection, createDevOutboxProvider(connection.db));
    genuine = (
      await connection.db
        .selectFrom('dev_sms_outbox')
        .select('text')
        .where('to', '=', '+8613800138007')
        .executeTakeFirstOrThrow()
    ).text;
    const { id } = await createStaffUser(connection.db, 'Agent@Qinghe-XF.cn', 'a long enough password');
    staff = (await findActiveStaff(connection.db, id)) as StaffMember;
    expect(staff.email).toBe('agent@qinghe-xf.cn');
  });

  it('signs in with the right password only, and audits every attempt without the password', async () => {
    expect(
      await signInStaff(db(), { email: 'agent@qinghe-xf.cn', password: 'a long enough password' }, '10.0.0.1'),
    ).toMatchObject({
      id: staff.id,
    });
    expect(
      await signInStaff(db(), { email: 'agent@qinghe-xf.cn', password: 'wrong password!!' }, '10.0.0.1'),
    ).toBeNull();
    expect(
      await signInStaff(db(), { email: 'nobody@qinghe-xf.cn', password: 'a long enough password' }, '10.0.0.1'),
    ).toBeNull();
    const ok = await audit('staff.sign_in');
    const failed = await audit('staff.sign_in_failed');
    expect(ok).toHaveLength(1);
    expect(failed.map((f) => JSON.parse(f.details).reason)).toEqual(['password', 'unknown_email']);
    for (const row of [...ok, ...failed]) expect(row.details).not.toContain('password!!');
  });

  it('refuses a disabled account even with the right password', async () => {
    const { id } = await createStaffUser(db(), 'left@qinghe-xf.cn', 'a long enough password');
    await db().updateTable('staff_users').set({ disabled_at: new Date().toISOString() }).where('id', '=', id).execute();
    expect(
      await signInStaff(db(), { email: 'left@qinghe-xf.cn', password: 'a long enough password' }, null),
    ).toBeNull();
    expect(await findActiveStaff(db(), id)).toBeNull();
  });

  it('shows who a genuine message went to, masked, and audits the check without the text', async () => {
    const check = await staffCheck(db(), staff, genuine, 'zh-CN', '10.0.0.2', CHECKED);
    expect(check.verification.answer.verdict).toBe('genuine');
    expect(check.recipient).toMatchObject({ maskedPhone: '138****8007', borrowerRef: 'B007', loanRef: 'L007' });
    expect(check.recipient?.maskedName).toMatch(/^.\*+$/);
    expect(check.takedown).toEqual({ domains: [], numbers: [] });
    const [entry] = (await audit('staff.check')).slice(-1);
    expect(entry).toMatchObject({ actor_kind: 'staff', actor_id: staff.id, ip: '10.0.0.2' });
    expect(entry?.subject).toMatch(/^message:/);
    expect(JSON.parse(entry?.details ?? '{}')).toMatchObject({ verdict: 'genuine', risk: 'none', signs: [] });
    expect(entry?.details).not.toContain('8007');
    expect(entry?.details).not.toContain(genuine.slice(0, 12));
  });

  it('explains a scam and lists what a takedown could name', async () => {
    const check = await staffCheck(db(), staff, SCAM, 'en', null);
    expect(check.verification.answer).toMatchObject({ verdict: 'not_sent', risk: 'high' });
    expect(check.recipient).toBeNull();
    expect(check.takedown).toEqual({ domains: ['qinghe-xf.top'], numbers: ['4008001234'] });
    const [entry] = (await audit('staff.check')).slice(-1);
    expect(JSON.parse(entry?.details ?? '{}').signs).toContain('asks_for_code');
  });

  it('refuses empty and oversized texts naming the field', async () => {
    await expect(staffCheck(db(), staff, '   ', 'en', null)).rejects.toMatchObject({ field: 'text' });
    await expect(staffCheck(db(), staff, 'x'.repeat(2_001), 'en', null)).rejects.toBeInstanceOf(ValidationError);
    await expect(staffCheck(db(), staff, 42, 'en', null)).rejects.toMatchObject({ field: 'text' });
  });

  it('records scam reports, re-checking the text itself', async () => {
    const first = await recordScamReport(
      db(),
      staff,
      {
        text: SCAM,
        tags: ['lookalike_link', 'code_request'],
        note: '',
        itemTags: ['domain|qinghe-xf.top|lookalike_link', 'number|4008001234|fake_hotline'],
      },
      null,
      new Date('2026-11-24T03:00:00Z'),
    );
    expect(first.items).toEqual([
      { kind: 'domain', value: 'qinghe-xf.top' },
      { kind: 'number', value: '4008001234' },
    ]);
    await recordScamReport(
      db(),
      staff,
      {
        text: OTHER_SCAM,
        tags: ['transfer_request'],
        note: '客户已报警',
        itemTags: ['domain|qinghe-xf.top|transfer_request'],
      },
      null,
      new Date('2026-11-25T03:00:00Z'),
    );
    const items = await reportedItems(db(), staff);
    expect(items[0]).toEqual({
      kind: 'domain',
      value: 'qinghe-xf.top',
      reports: 2,
      firstSeen: '2026-11-24T03:00:00.000Z',
      lastSeen: '2026-11-25T03:00:00.000Z',
      // Each item's own tags, never the report's: the number is not a look-alike link.
      tags: ['lookalike_link', 'transfer_request'],
    });
    expect(items.find((i) => i.value === '4008001234')).toMatchObject({ reports: 1, tags: ['fake_hotline'] });
    const recent = await recentReports(db(), staff);
    expect(recent[0]).toMatchObject({ text: OTHER_SCAM, note: '客户已报警', staffEmail: 'agent@qinghe-xf.cn' });
    expect(await audit('staff.scam_report')).toHaveLength(2);
  });

  it('refuses item tags that do not fit the item or name an item the text does not carry', async () => {
    for (const itemTags of [
      ['number|4008001234|lookalike_link'],
      ['domain|qinghe-xf.top|fake_hotline'],
      ['domain|evil.example|lookalike_link'],
      ['nonsense'],
    ]) {
      await expect(
        recordScamReport(db(), staff, { text: SCAM, tags: ['other'], itemTags }, null),
      ).rejects.toMatchObject({ field: 'itemTags' });
    }
  });

  it('refuses a report without tags, with unknown tags, with a long note, or of a genuine message', async () => {
    const before = await db().selectFrom('scam_reports').select('id').execute();
    await expect(recordScamReport(db(), staff, { text: SCAM, tags: [] }, null)).rejects.toMatchObject({
      field: 'tags',
    });
    await expect(recordScamReport(db(), staff, { text: SCAM, tags: ['<script>'] }, null)).rejects.toMatchObject({
      field: 'tags[0]',
    });
    await expect(
      recordScamReport(db(), staff, { text: SCAM, tags: ['other'], note: 'x'.repeat(501) }, null),
    ).rejects.toMatchObject({
      field: 'note',
    });
    await expect(recordScamReport(db(), staff, { text: genuine, tags: ['other'] }, null)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await db().selectFrom('scam_reports').select('id').execute()).toHaveLength(before.length);
  });

  it('shows staff of one lender only that lender’s reports and matches', async () => {
    const other = await upsertLender(db(), lenderProfile('anxin'), new Date().toISOString());
    const { id } = await createStaffUser(db(), 'agent@anxin.example.cn', 'a long enough password');
    await db().updateTable('staff_users').set({ lender_id: other.id }).where('id', '=', id).execute();
    const theirs = (await findActiveStaff(db(), id)) as StaffMember;
    expect(await reportedItems(db(), theirs)).toEqual([]);
    expect(await recentReports(db(), theirs)).toEqual([]);
    // A message another lender sent is not "genuine" for them, and shows no recipient.
    const check = await staffCheck(db(), theirs, genuine, 'en', null, CHECKED);
    expect(check.verification.answer.verdict).toBe('not_sent');
    expect(check.recipient).toBeNull();
  });
});

it('masks names enough to confirm on the phone, not to leak', () => {
  expect(maskName('张三丰')).toBe('张**');
  expect(maskName('李四')).toBe('李*');
  expect(maskName('Wang Fang')).toBe('W*** F***');
  expect(maskName('')).toBe('');
});

it('writes takedown CSV that spreadsheets will not run as formulas', () => {
  const csv = takedownCsv([
    {
      kind: 'domain',
      value: 'qinghe-xf.top',
      reports: 2,
      firstSeen: 'a',
      lastSeen: 'b',
      tags: ['code_request', 'threat'],
    },
    { kind: 'number', value: '=HYPERLINK("http://x")', reports: 1, firstSeen: 'a', lastSeen: 'b', tags: [] },
    { kind: 'number', value: '+85251234567', reports: 1, firstSeen: 'a', lastSeen: 'b', tags: [] },
  ]);
  const lines = csv.split('\r\n');
  expect(lines[0]).toBe('kind,value,reports,first_seen,last_seen,tags');
  expect(lines[1]).toBe('domain,qinghe-xf.top,2,a,b,code_request threat');
  expect(lines[2]).toBe(`number,"'=HYPERLINK(""http://x"")",1,a,b,`);
  expect(lines[3]).toBe(`number,"'+85251234567",1,a,b,`);
  expect(lines.at(-1)).toBe('');
});
