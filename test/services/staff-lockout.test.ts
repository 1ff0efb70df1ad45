import { expect, it } from 'vitest';
import { DEVICE_COOKIE, recogniseDevice } from '../../src/auth/recognised-devices.ts';
import { ACCOUNT_LIMIT, MAX_DELAY_MS, SOURCE_LIMIT } from '../../src/core/staff-sign-in-throttle.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { accountsUnderAttack, guardedStaffSignIn } from '../../src/services/staff-sign-in-guard.ts';
import { describeEachDialect } from '../support/databases.ts';
import { jar } from '../support/doubles.ts';

// Wrong staff passwords from strangers slow them down and raise an alert, but never lock the owner
// out where they signed in before. Time moves only through the `now` arguments.

const T0 = Date.UTC(2026, 11, 6, 1, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const PASSWORD = 'the owner’s own password';

describeEachDialect('a stranger cannot lock a staff member out', (get) => {
  const db = () => get().connection.db;

  it('V6.3.1 no malicious lockout: strangers’ guesses slow and alert while the owner signs in where they did before', async () => {
    const email = 'owner@qinghe-xf.cn';
    const owner = await createStaffUser(db(), email, PASSWORD, at(0));
    const operator = { id: 'operator-id', role: 'operator' };
    const office = '10.50.0.1';
    const signIn = (password: string, ip: string, seconds: number, device: string | null = null) =>
      guardedStaffSignIn(db(), { email, password }, { ip, device }, at(seconds));

    // the owner signs in once at the office; that browser becomes a recognised device
    const first = await signIn(PASSWORD, office, 0);
    expect(first.ok).toBe(true);
    const cookies = jar();
    await recogniseDevice(db(), 'staff', owner.id, cookies, at(0));
    const device = cookies.values.get(DEVICE_COOKIE) ?? null;

    // one stranger address: 5 wrong passwords, then it waits out its window (that address only)
    const one: string[] = [];
    for (let i = 0; i < SOURCE_LIMIT + 1; i++) {
      const r = await signIn(`guess ${i}`, '198.51.100.1', 10 + i);
      one.push(r.ok ? 'ok' : r.reason);
    }
    expect(one).toEqual([...Array(SOURCE_LIMIT).fill('wrong'), 'limited']);
    // many addresses: past 10 failures for the account, unfamiliar sources are slowed
    const many: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await signIn(`guess ${i}`, `198.51.100.${10 + i}`, 20 + i * 0.2);
      many.push(r.ok ? 'ok' : r.reason);
    }
    expect(many.filter((r) => r === 'wrong')).toHaveLength(ACCOUNT_LIMIT - SOURCE_LIMIT + 1);
    expect(many.at(-1)).toBe('limited');

    // the owner: the right password on the recognised device (from a hotel) and at the office
    const hotel = await signIn(PASSWORD, '203.0.113.9', 23, device);
    expect(hotel.ok).toBe(true);
    expect((await signIn(PASSWORD, office, 23)).ok).toBe(true);
    // even behind the very address the stranger used, its own budget spent too
    const shared = await guardedStaffSignIn(
      db(),
      { email, password: PASSWORD },
      { ip: '198.51.100.1', device, addressBudget: async () => 600 },
      at(23),
    );
    expect(shared.ok).toBe(true);
    expect(
      await guardedStaffSignIn(
        db(),
        { email, password: PASSWORD },
        { ip: '198.51.100.1', device: null, addressBudget: async () => 600 },
        at(23),
      ),
    ).toEqual({ ok: false, reason: 'limited', retryAfterSeconds: 600 });
    // on a new device somewhere new: slowed, for at most a minute, not locked for hours
    const fresh = await signIn(PASSWORD, '203.0.113.77', 23);
    expect(fresh).toMatchObject({ ok: false, reason: 'limited' });
    if (fresh.ok || fresh.reason !== 'limited') throw new Error('not limited');
    expect(fresh.retryAfterSeconds).toBeLessThanOrEqual(MAX_DELAY_MS / 1000);
    expect((await signIn(PASSWORD, '203.0.113.77', 23 + fresh.retryAfterSeconds)).ok).toBe(true);

    // every lockout is audited and shown to operators (and to the account itself) for a day
    const alerts = await db()
      .selectFrom('audit_log')
      .select(['details', 'subject'])
      .where('action', '=', 'staff.sign_in_locked')
      .execute();
    expect(alerts.map((a) => [a.subject, JSON.parse(a.details).scope]).sort()).toEqual([
      [`staff:${owner.id}`, 'account'],
      [`staff:${owner.id}`, 'source'],
    ]);
    const listed = await accountsUnderAttack(db(), operator, at(60));
    expect(listed).toEqual([
      expect.objectContaining({ email, lockouts: 2, accountWide: true, addresses: 2, staffId: owner.id }),
    ]);
    expect(await accountsUnderAttack(db(), { id: owner.id, role: 'agent' }, at(60))).toHaveLength(1);
    expect(await accountsUnderAttack(db(), { id: 'someone-else', role: 'agent' }, at(60))).toEqual([]);
    expect(await accountsUnderAttack(db(), operator, at(25 * 3600))).toEqual([]);
  });

  it('throttles an unknown e-mail exactly like a known one', async () => {
    await createStaffUser(db(), 'known@qinghe-xf.cn', PASSWORD, at(0));
    const run = async (email: string, net: string) => {
      const answers = [];
      for (let i = 0; i < SOURCE_LIMIT + 1; i++) {
        const ip = `${net}.1`;
        answers.push(await guardedStaffSignIn(db(), { email, password: 'nope' }, { ip, device: null }, at(100 + i)));
      }
      return answers;
    };
    const known = await run('known@qinghe-xf.cn', '10.60.0');
    expect(await run('nobody@qinghe-xf.cn', '10.61.0')).toEqual(known);
    expect(known.map((a) => (a.ok ? 'ok' : a.reason))).toEqual([...Array(SOURCE_LIMIT).fill('wrong'), 'limited']);
  });
});
