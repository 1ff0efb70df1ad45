import { expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { completePhoneChange } from '../../src/services/borrower-account.ts';
import { requestCode, signInWithCode } from '../../src/services/borrower-auth.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { decideRequest } from '../../src/services/relief.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { findActiveStaff, type StaffMember, signInStaff, staffCheck } from '../../src/services/staff-workbench.ts';
import type { SmsProvider } from '../../src/sms/provider.ts';
import { describeEachDialect } from '../support/databases.ts';

// OWASP ASVS 5.0, V16 Security Logging: the audit log records sign-ins, phone changes, request
// decisions and staff checks, with who, when and from where, and never a whole phone number, a
// code, a password or a key. (Request logs: test/security/V14-data-protection.test.ts.)

const sms: SmsProvider = {
  name: 'silent',
  send: async () => ({ outcome: 'sent', providerMessageId: 'P' }),
  lookup: async () => ({ found: false }),
};
const IP = '203.0.113.7';
const PASSWORD = 'correct horse battery staple';

describeEachDialect('V16 Security Logging', (get) => {
  const db = () => get().connection.db;
  const secrets: string[] = [PASSWORD];
  let staff: StaffMember;

  it('records what happens: sign-ins, phone changes, request decisions, staff checks and keys', async () => {
    await seedDemo(db());
    const phone = '+8613800138005';
    // A borrower signs in: a wrong code first. The code is only in the text the provider got.
    let text = '';
    const capturing: SmsProvider = {
      ...sms,
      send: async (message) => {
        text = message.text;
        return { outcome: 'sent', providerMessageId: 'P' };
      },
    };
    const asked = await requestCode(db(), capturing, { purpose: 'sign_in', phone, ip: IP, locale: 'zh-CN' });
    if (!asked.ok) throw new Error('no code');
    await asked.send();
    const typed = /(\d{6})/.exec(text)?.[1] ?? '';
    secrets.push(typed);
    expect((await signInWithCode(db(), { phone, code: typed === '000000' ? '111111' : '000000', ip: IP })).ok).toBe(
      false,
    );
    expect((await signInWithCode(db(), { phone, code: typed, ip: IP })).ok).toBe(true);
    // The number changes.
    const demo = ['demo'];
    const changed = await completePhoneChange(
      db(),
      sms,
      phone,
      '+8613900139555',
      { lenders: demo, suggested: demo },
      IP,
    );
    expect(changed.records).toBeGreaterThan(0);
    secrets.push('13800138005', '13900139555');
    // Staff: a wrong password, then a sign-in, a check, a decision and a new API key.
    const { id } = await createStaffUser(db(), 'auditor@qinghe-xf.cn', PASSWORD, new Date(), undefined, 'operator');
    expect(await signInStaff(db(), { email: 'auditor@qinghe-xf.cn', password: 'wrong password here' }, IP)).toBeNull();
    expect(await signInStaff(db(), { email: 'auditor@qinghe-xf.cn', password: PASSWORD }, IP)).not.toBeNull();
    staff = (await findActiveStaff(db(), id)) as StaffMember;
    await staffCheck(db(), staff, '【青禾消费金融】请转账到安全账户，联系 13700137000', 'zh-CN', IP);
    secrets.push('13700137000');
    const pending = await db()
      .selectFrom('requests')
      .select('id')
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    await decideRequest(db(), staff, pending.id, { decision: 'reject', note: '材料不全' }, IP);
    const lender = await db().selectFrom('lenders').select('id').where('slug', '=', 'demo').executeTakeFirstOrThrow();
    const { key } = await createApiKey(db(), lender.id, 'audit');
    secrets.push(key);
  });

  it('V16.3.1 authentication operations are logged, successful and not', async () => {
    const actions = (await db().selectFrom('audit_log').select('action').execute()).map((r) => r.action);
    for (const action of [
      'borrower.sign_in',
      'borrower.sign_in_failed',
      'staff.sign_in',
      'staff.sign_in_failed',
      'borrower.code_sent',
    ]) {
      expect(actions, action).toContain(action);
    }
  });

  it('V16.3.3 phone changes, request decisions, staff checks and new keys are logged as security events', async () => {
    const actions = new Set((await db().selectFrom('audit_log').select('action').execute()).map((r) => r.action));
    const expected = [/phone/, /request|relief/, /^staff\.check$/, /key/];
    for (const pattern of expected)
      expect(
        [...actions].some((a) => pattern.test(a)),
        String(pattern),
      ).toBe(true);
  });

  it('V16.2.1 V16.2.2 each entry says when (UTC), who, what and from where', async () => {
    const rows = await db().selectFrom('audit_log').selectAll().where('ip', '=', IP).execute();
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      expect(row.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/);
      expect(row.action).toMatch(/^[a-z_]+\.[a-z_.]+$/);
      expect(row.actor_kind).toMatch(/^(?:borrower|staff|lender_key|system|anonymous)$/);
    }
  });

  it('V16.2.5 the audit log masks phone numbers and holds no code, password or key', async () => {
    const log = JSON.stringify(await db().selectFrom('audit_log').selectAll().execute());
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) expect(log, secret).not.toContain(secret);
    expect(log).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
    expect(log).toMatch(/1[3-9]\d\*{4}\d{4}/); // masked numbers are there
  });
});
