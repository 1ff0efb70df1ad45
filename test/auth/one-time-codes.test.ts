import { expect, it } from 'vitest';
import {
  CODE_LIFETIME_MS,
  CODE_RETENTION_MS,
  checkCode,
  issueCode,
  MAX_FAILURES,
  newCode,
  numberPrefix,
  OPEN_BUDGETS,
  purgeOldCodes,
} from '../../src/auth/one-time-codes.ts';
import { describeEachDialect } from '../support/databases.ts';

const PHONE = '+8613800138005';
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 24, 2, 0) + minutes * 60_000);

describeEachDialect('one-time codes', (get) => {
  const db = () => get().connection.db;
  let n = 0;
  /** A fresh number per test, so budgets do not leak between tests. */
  const phone = () => `+86139${String(10_000_000 + n++).slice(-8)}`;

  it('issues 6 digits, stores only a hash bound to the purpose and the number', async () => {
    const issued = await issueCode(db(), { purpose: 'sign_in', phone: PHONE, ip: '10.1.1.1' }, at(0));
    if (!issued.ok) throw new Error('not issued');
    expect(issued.code).toMatch(/^\d{6}$/);
    const row = await db()
      .selectFrom('one_time_codes')
      .selectAll()
      .where('id', '=', issued.id)
      .executeTakeFirstOrThrow();
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(issued.code);
    expect(row).toMatchObject({ purpose: 'sign_in', phone_e164: PHONE, ip: '10.1.1.1', number_prefix: '+861380013' });
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(CODE_LIFETIME_MS);
    // bound to purpose and number
    expect((await checkCode(db(), { purpose: 'reauth', phone: PHONE, code: issued.code }, at(1))).result).not.toBe(
      'ok',
    );
    expect(
      (await checkCode(db(), { purpose: 'sign_in', phone: '+8613800138006', code: issued.code }, at(1))).result,
    ).not.toBe('ok');
  });

  it('works once, then never again (no replay)', async () => {
    const p = phone();
    const issued = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(0));
    if (!issued.ok) throw new Error('not issued');
    expect(await checkCode(db(), { purpose: 'sign_in', phone: p, code: issued.code }, at(1))).toEqual({
      result: 'ok',
      triesLeft: 0,
    });
    expect((await checkCode(db(), { purpose: 'sign_in', phone: p, code: issued.code }, at(1))).result).toBe('expired');
  });

  it('expires after 5 minutes', async () => {
    const p = phone();
    const issued = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(0));
    if (!issued.ok) throw new Error('not issued');
    expect((await checkCode(db(), { purpose: 'sign_in', phone: p, code: issued.code }, at(5))).result).toBe('expired');
  });

  it('allows 5 wrong tries, then refuses even the right code', async () => {
    const p = phone();
    const issued = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(0));
    if (!issued.ok) throw new Error('not issued');
    const wrong = issued.code === '000000' ? '111111' : '000000';
    const left: number[] = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      const result = await checkCode(db(), { purpose: 'sign_in', phone: p, code: wrong }, at(1));
      left.push(result.triesLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect((await checkCode(db(), { purpose: 'sign_in', phone: p, code: issued.code }, at(1))).result).toBe('locked');
  });

  it('counts parallel guesses exactly: never more than 5 failures', async () => {
    const p = phone();
    const issued = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(0));
    if (!issued.ok) throw new Error('not issued');
    const guesses = Array.from({ length: 20 }, (_, i) => String(i).padStart(6, '9')).filter((g) => g !== issued.code);
    await Promise.all(guesses.map((code) => checkCode(db(), { purpose: 'sign_in', phone: p, code }, at(1))));
    const row = await db()
      .selectFrom('one_time_codes')
      .select('failures')
      .where('id', '=', issued.id)
      .executeTakeFirstOrThrow();
    expect(row.failures).toBe(MAX_FAILURES);
  });

  it('a resend replaces the code but keeps its failures', async () => {
    const p = phone();
    const first = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(0));
    if (!first.ok) throw new Error('not issued');
    const wrong = first.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) await checkCode(db(), { purpose: 'sign_in', phone: p, code: wrong }, at(1));
    const second = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(2));
    if (!second.ok) throw new Error('not issued');
    const other = [second.code, first.code].includes('222222')
      ? [second.code, first.code].includes('333333')
        ? '444444'
        : '333333'
      : '222222';
    // 3 failures came along: one more leaves 1 try
    expect(await checkCode(db(), { purpose: 'sign_in', phone: p, code: other }, at(2))).toEqual({
      result: 'wrong',
      triesLeft: 1,
    });
    // the replaced code no longer works (a 5th failure, which locks)
    if (first.code !== second.code) {
      expect((await checkCode(db(), { purpose: 'sign_in', phone: p, code: first.code }, at(2))).result).toBe('locked');
      expect((await checkCode(db(), { purpose: 'sign_in', phone: p, code: second.code }, at(2))).result).toBe('locked');
    }
  });

  it('rejects malformed codes as wrong without ever matching', async () => {
    const p = phone();
    const issued = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(0));
    if (!issued.ok) throw new Error('not issued');
    for (const code of ['', ' ', `${issued.code} `, `0${issued.code}`, 'abcdef', "' or 1=1"]) {
      expect((await checkCode(db(), { purpose: 'sign_in', phone: p, code }, at(1))).result).not.toBe('ok');
    }
  });

  it('keeps send budgets per number and address, per number, per address and per number range', async () => {
    const p = phone();
    // one address: 3 codes for a number in 15 minutes
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(await issueCode(db(), { purpose: 'sign_in', phone: p, ip: '10.4.0.1' }, at(i)));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    const refused = results[3];
    expect(refused?.ok === false && refused.budget).toBe('requester');
    expect(refused?.ok === false && refused.retryAfterSeconds).toBe(12 * 60);
    // other addresses: 5 in 15 minutes for the number, all addresses together
    const others = [];
    for (let i = 0; i < 3; i++)
      others.push(await issueCode(db(), { purpose: 'sign_in', phone: p, ip: `10.4.1.${i}` }, at(4)));
    expect(others.map((r) => r.ok)).toEqual([true, true, false]);
    expect(others[2]).toMatchObject({ ok: false, budget: 'number', retryAfterSeconds: 11 * 60 });
    // after the window, allowed again
    expect((await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(16))).ok).toBe(true);

    const ip = '203.0.113.9';
    const byAddress = [];
    for (let i = 0; i < 21; i++)
      byAddress.push(await issueCode(db(), { purpose: 'sign_in', phone: phone(), ip }, at(100)));
    expect(byAddress.filter((r) => r.ok)).toHaveLength(20);
    expect(byAddress.at(-1)).toMatchObject({ ok: false, budget: 'address' });

    // a pumping run through one range of numbers from many addresses
    const range = '+8615000001';
    const pumped = [];
    for (let i = 0; i < 31; i++) {
      pumped.push(
        await issueCode(
          db(),
          { purpose: 'sign_in', phone: `${range}${String(i).padStart(3, '0')}`, ip: `198.51.100.${i}` },
          at(200),
        ),
      );
    }
    expect(pumped.filter((r) => r.ok)).toHaveLength(30);
    expect(pumped.at(-1)).toMatchObject({ ok: false, budget: 'prefix' });
  });

  it('holds the budget under parallel requests (each sees the codes the others issued)', async () => {
    const p = phone();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(300))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(OPEN_BUDGETS.find((b) => b.key === 'number')?.limit ?? 0);
    // exactly one of them is live: each replaced the one before
    const live = await db()
      .selectFrom('one_time_codes')
      .select('id')
      .where('phone_e164', '=', p)
      .where('expires_at', '>', at(300).toISOString())
      .execute();
    expect(live).toHaveLength(1);
  });

  it('binds a code to who asked for it', async () => {
    const p = phone();
    const issued = await issueCode(
      db(),
      { purpose: 'phone_change', phone: p, ip: null, boundTo: '+8613800138004' },
      at(400),
    );
    if (!issued.ok) throw new Error('not issued');
    const other = await checkCode(
      db(),
      { purpose: 'phone_change', phone: p, code: issued.code, boundTo: '+8613800138005' },
      at(401),
    );
    expect(other.result).toBe('wrong');
    const own = await checkCode(
      db(),
      { purpose: 'phone_change', phone: p, code: issued.code, boundTo: '+8613800138004' },
      at(401),
    );
    expect(own.result).toBe('ok');
  });

  it('does not carry failures from a code that was used, or from long ago', async () => {
    const p = phone();
    const first = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(500));
    if (!first.ok) throw new Error('not issued');
    const wrong = first.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) await checkCode(db(), { purpose: 'sign_in', phone: p, code: wrong }, at(501));
    expect((await checkCode(db(), { purpose: 'sign_in', phone: p, code: first.code }, at(501))).result).toBe('ok');
    const next = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(502));
    if (!next.ok) throw new Error('not issued');
    const row = await db()
      .selectFrom('one_time_codes')
      .select('failures')
      .where('id', '=', next.id)
      .executeTakeFirstOrThrow();
    expect(row.failures).toBe(0);
  });

  it('purges codes older than two days, keeping every code a send budget still counts', async () => {
    expect(CODE_RETENTION_MS).toBeGreaterThanOrEqual(24 * 60 * 60_000); // the longest budget window
    // a number range no other test uses: their codes (at later instants) must not count here
    const p = '+8613355550001';
    const old = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: '10.9.9.9' }, at(-3 * 24 * 60));
    const recent = await issueCode(db(), { purpose: 'sign_in', phone: p, ip: '10.9.9.9' }, at(-20 * 60));
    if (!old.ok || !recent.ok) throw new Error('not issued');
    await db()
      .insertInto('code_locks')
      .values({ key: '+99900000', at: at(-3 * 24 * 60).toISOString() })
      .execute();
    expect(await purgeOldCodes(db(), at(0))).toBe(1);
    const left = await db().selectFrom('one_time_codes').select('id').where('phone_e164', '=', p).execute();
    expect(left.map((r) => r.id)).toEqual([recent.id]);
    const locks = await db().selectFrom('code_locks').select('key').execute();
    expect(locks.map((l) => l.key)).not.toContain('+99900000');
    expect(locks.map((l) => l.key)).toContain(numberPrefix(p));
    // the day budget still sees the code of 20 hours ago: 9 more today, not 10
    for (let i = 0; i < 9; i++) {
      expect((await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(i * 16))).ok).toBe(true);
    }
    expect((await issueCode(db(), { purpose: 'sign_in', phone: p, ip: null }, at(9 * 16))).ok).toBe(false);
  });

  it('makes codes uniformly from six digits', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) seen.add(newCode());
    expect([...seen].every((c) => /^\d{6}$/.test(c))).toBe(true);
    expect(seen.size).toBeGreaterThan(1_990);
    expect(numberPrefix('+85251234567')).toBe('+8525123');
  });
});
