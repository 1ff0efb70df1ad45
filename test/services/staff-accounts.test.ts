import { expect, it } from 'vitest';
import { type CookieJar, readSession, startSession } from '../../src/auth/sessions.ts';
import { NotFoundError, ValidationError } from '../../src/core/errors.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import {
  createStaffUser,
  setStaffDisabled,
  setStaffPassword,
  setStaffRole,
} from '../../src/services/staff-accounts.ts';
import { findActiveStaff, signInStaff } from '../../src/services/staff-workbench.ts';
import { describeEachDialect } from '../support/databases.ts';

// Support-staff accounts as the operator manages them (cli staff create|password|disable|enable).

function jar(): CookieJar {
  const values = new Map<string, string>();
  return {
    get: (name) => (values.has(name) ? { value: values.get(name) as string } : undefined),
    set: (name, value) => void values.set(name, value),
    delete: (name) => void values.delete(name),
  };
}

describeEachDialect('staff accounts', (get) => {
  const db = () => get().connection.db;
  const audit = (action: string) =>
    db().selectFrom('audit_log').select(['subject', 'details']).where('action', '=', action).execute();

  it('creates an agent for one lender, or for all; refuses an unknown lender and a short password', async () => {
    await seedDemo(db(), new Date('2026-11-24T01:00:00Z'));
    const scoped = await createStaffUser(db(), 'Agent@Qinghe-XF.cn', 'a long enough password', new Date(), 'demo');
    expect(scoped).toMatchObject({ email: 'agent@qinghe-xf.cn', lender: 'demo' });
    const member = await findActiveStaff(db(), scoped.id);
    expect(member?.lenderId).not.toBeNull();
    expect(member?.lenderId).toEqual(expect.any(String));
    const all = await createStaffUser(db(), 'ops@zhenxin.example', 'a long enough password');
    expect(all.lender).toBeNull();
    expect((await findActiveStaff(db(), all.id))?.lenderId).toBeNull();
    await expect(
      createStaffUser(db(), 'x@zhenxin.example', 'a long enough password', new Date(), 'nobody'),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(createStaffUser(db(), 'y@zhenxin.example', 'short')).rejects.toMatchObject({ field: 'password' });
    expect(
      await db()
        .selectFrom('staff_users')
        .select('email')
        .where('email', 'in', ['x@zhenxin.example', 'y@zhenxin.example'])
        .execute(),
    ).toEqual([]);
    expect((await audit('staff.created')).map((a) => JSON.parse(a.details).lender)).toEqual(['demo', null]);
  });

  it('sets a new password: the old one stops working and every session of the account ends', async () => {
    const before = await signInStaff(db(), { email: 'agent@qinghe-xf.cn', password: 'a long enough password' }, null);
    if (!before) throw new Error('could not sign in');
    const cookies = jar();
    await startSession(db(), 'staff', before.id, cookies, before.credential);
    expect(await readSession(db(), 'staff', cookies)).not.toBeNull();

    await setStaffPassword(db(), 'AGENT@qinghe-xf.cn', 'a brand new passphrase');
    expect(await readSession(db(), 'staff', cookies)).toBeNull();
    expect(
      await signInStaff(db(), { email: 'agent@qinghe-xf.cn', password: 'a long enough password' }, null),
    ).toBeNull();
    expect(
      await signInStaff(db(), { email: 'agent@qinghe-xf.cn', password: 'a brand new passphrase' }, null),
    ).not.toBeNull();
    const [entry] = await audit('staff.password_set');
    expect(entry?.subject).toBe(`staff:${before.id}`);
    expect(entry?.details).not.toContain('passphrase');

    // A sign-in that checked the old password just before the reset, and opens its session just
    // after it committed: that session is bound to the old password, so it does not work.
    const racing = jar();
    await startSession(db(), 'staff', before.id, racing, before.credential);
    expect(await readSession(db(), 'staff', racing)).toBeNull();

    await expect(setStaffPassword(db(), 'agent@qinghe-xf.cn', 'short')).rejects.toBeInstanceOf(ValidationError);
    await expect(setStaffPassword(db(), 'nobody@qinghe-xf.cn', 'a long enough password')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('disables an account at once (sessions end, sign-in refused) and enables it again', async () => {
    const member = await signInStaff(db(), { email: 'agent@qinghe-xf.cn', password: 'a brand new passphrase' }, null);
    if (!member) throw new Error('could not sign in');
    const cookies = jar();
    await startSession(db(), 'staff', member.id, cookies, member.credential);

    expect(await setStaffDisabled(db(), 'agent@qinghe-xf.cn', true)).toEqual({
      email: 'agent@qinghe-xf.cn',
      disabled: true,
    });
    expect(await readSession(db(), 'staff', cookies)).toBeNull();
    expect(await findActiveStaff(db(), member.id)).toBeNull();
    expect(
      await signInStaff(db(), { email: 'agent@qinghe-xf.cn', password: 'a brand new passphrase' }, null),
    ).toBeNull();

    await setStaffDisabled(db(), 'agent@qinghe-xf.cn', false);
    // the sessions were ended, not just refused while disabled
    expect(await readSession(db(), 'staff', cookies)).toBeNull();
    expect(
      await signInStaff(db(), { email: 'agent@qinghe-xf.cn', password: 'a brand new passphrase' }, null),
    ).not.toBeNull();
    expect((await audit('staff.disabled')).length).toBe(1);
    expect((await audit('staff.enabled')).length).toBe(1);
    await expect(setStaffDisabled(db(), 'not-an-email', true)).rejects.toMatchObject({ field: 'email' });
  });
});

describeEachDialect('staff roles', (get) => {
  const db = () => get().connection.db;

  it('creates each role, refusing a lender admin without a lender and an operator with one', async () => {
    await seedDemo(db(), new Date('2026-11-24T01:00:00Z'));
    const pw = 'a long enough password';
    expect(await createStaffUser(db(), 'a@demo.cn', pw, new Date(), 'demo')).toMatchObject({ role: 'agent' });
    const admin = await createStaffUser(db(), 'admin@demo.cn', pw, new Date(), 'demo', 'lender_admin');
    expect((await findActiveStaff(db(), admin.id))?.role).toBe('lender_admin');
    const ops = await createStaffUser(db(), 'ops@zx.cn', pw, new Date(), undefined, 'operator');
    expect((await findActiveStaff(db(), ops.id))?.role).toBe('operator');
    await expect(createStaffUser(db(), 'b@zx.cn', pw, new Date(), undefined, 'lender_admin')).rejects.toMatchObject({
      field: 'role',
    });
    await expect(createStaffUser(db(), 'c@zx.cn', pw, new Date(), 'demo', 'operator')).rejects.toMatchObject({
      field: 'role',
    });
    await expect(createStaffUser(db(), 'd@zx.cn', pw, new Date(), undefined, 'root')).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('grants a role, ends the sessions and audits from and to', async () => {
    await seedDemo(db(), new Date('2026-11-24T01:00:00Z'));
    const agent = await createStaffUser(db(), 'agent@demo.cn', 'a long enough password', new Date(), 'demo');
    const signedIn = await signInStaff(db(), { email: 'agent@demo.cn', password: 'a long enough password' }, null);
    if (!signedIn) throw new Error('could not sign in');
    const cookies = jar();
    await startSession(db(), 'staff', agent.id, cookies, signedIn.credential);
    expect(await readSession(db(), 'staff', cookies)).not.toBeNull();
    const granted = await setStaffRole(db(), 'agent@demo.cn', 'lender_admin', 'demo');
    expect(granted).toEqual({ email: 'agent@demo.cn', role: 'lender_admin', lender: 'demo' });
    expect((await findActiveStaff(db(), agent.id))?.role).toBe('lender_admin');
    expect(await readSession(db(), 'staff', cookies)).toBeNull();
    const entry = await db()
      .selectFrom('audit_log')
      .select(['details', 'actor_kind'])
      .where('action', '=', 'staff.role_set')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details)).toMatchObject({
      from: { role: 'agent' },
      to: { role: 'lender_admin', lender: 'demo' },
    });
    await expect(setStaffRole(db(), 'agent@demo.cn', 'operator', 'demo')).rejects.toMatchObject({ field: 'role' });
    await expect(setStaffRole(db(), 'nobody@demo.cn', 'agent')).rejects.toBeInstanceOf(NotFoundError);
    expect((await findActiveStaff(db(), agent.id))?.role).toBe('lender_admin');
  });
});
