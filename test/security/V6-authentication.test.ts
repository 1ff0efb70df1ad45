import { expect, it } from 'vitest';
import {
  CODE_LIFETIME_MS,
  checkCode,
  issueCode,
  MAX_FAILURES,
  newCode,
  OPEN_BUDGETS,
} from '../../src/auth/one-time-codes.ts';
import { nowIso } from '../../src/db/ids.ts';
import { insertBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { requestCode, signInWithCode } from '../../src/services/borrower-auth.ts';
import type { OutgoingSms, SmsProvider } from '../../src/sms/provider.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';

// OWASP ASVS 5.0, V6 Authentication: the one-time codes borrowers sign in with (sent by SMS: an
// out-of-band code in ASVS's words), on each database. The thorough cases (parallel guesses,
// purging, number ranges) are in test/auth/one-time-codes.test.ts; these prove each requirement.

const T0 = Date.UTC(2026, 10, 24, 2, 0);
const at = (ms: number) => new Date(T0 + ms);
const MIN = 60_000;

function recordingProvider() {
  const sent: OutgoingSms[] = [];
  const provider: SmsProvider = {
    name: 'recording',
    async send(message) {
      sent.push(message);
      return { outcome: 'sent', providerMessageId: `P${sent.length}` };
    },
    async lookup() {
      return { found: false };
    },
  };
  return { provider, sent };
}

/** A code other than the one issued (a wrong guess). */
const other = (...codes: string[]) => ['000000', '111111', '222222'].find((c) => !codes.includes(c)) as string;

describeEachDialect('V6 Authentication', (get) => {
  const db = () => get().connection.db;
  let n = 0;
  // Each number in a range of its own (the send budgets count per number range too).
  const fresh = () => `+86137${String(1_000 + n++).padStart(4, '0')}8000`;
  const issue = async (
    phone: string,
    ms = 0,
    purpose: 'sign_in' | 'reauth' | 'phone_change' = 'sign_in',
    boundTo?: string,
  ) => {
    const issued = await issueCode(db(), { purpose, phone, ip: null, ...(boundTo ? { boundTo } : {}) }, at(ms));
    if (!issued.ok) throw new Error('not issued');
    return issued;
  };

  it('V6.5.3 V6.5.4 codes from a CSPRNG with ≥ 20 bits of entropy: 6 uniformly random digits', () => {
    const draws = Array.from({ length: 20_000 }, newCode);
    expect(draws.every((c) => /^\d{6}$/.test(c))).toBe(true);
    // 10^6 values ≈ 19.9 bits... and then some: 20 000 draws from a million collide ~200 times,
    // from a biased or short source far more often.
    expect(draws.length - new Set(draws).size).toBeLessThan(320);
    const firstDigits = new Map<string, number>();
    for (const c of draws) firstDigits.set(c[0] as string, (firstDigits.get(c[0] as string) ?? 0) + 1);
    expect(firstDigits.size).toBe(10); // leading zeros kept
    for (const count of firstDigits.values()) expect(Math.abs(count - 2_000)).toBeLessThan(300);
  });

  it('V6.5.1 single-use codes: a code works once, never again', async () => {
    const phone = fresh();
    const { code } = await issue(phone);
    expect((await checkCode(db(), { purpose: 'sign_in', phone, code }, at(MIN))).result).toBe('ok');
    expect((await checkCode(db(), { purpose: 'sign_in', phone, code }, at(MIN))).result).not.toBe('ok');
  });

  it('V6.5.5 out-of-band codes have a defined lifetime (≤ 10 min): 5 minutes', async () => {
    expect(CODE_LIFETIME_MS).toBe(5 * MIN);
    const phone = fresh();
    const { code } = await issue(phone);
    expect((await checkCode(db(), { purpose: 'sign_in', phone, code }, at(5 * MIN))).result).toBe('expired');
    const again = fresh();
    const second = await issue(again);
    expect(
      (await checkCode(db(), { purpose: 'sign_in', phone: again, code: second.code }, at(5 * MIN - 1))).result,
    ).toBe('ok');
  });

  it('V6.6.2 codes are bound to the request they were made for: purpose, number and who asked', async () => {
    const phone = fresh();
    const { code } = await issue(phone, 0, 'phone_change', '+8613800138005');
    for (const attempt of [
      { purpose: 'sign_in' as const, phone },
      { purpose: 'reauth' as const, phone },
      { purpose: 'phone_change' as const, phone: fresh() },
      { purpose: 'phone_change' as const, phone, boundTo: '+8613800138006' },
    ]) {
      expect((await checkCode(db(), { ...attempt, code }, at(MIN))).result, JSON.stringify(attempt)).not.toBe('ok');
    }
    const bound = { purpose: 'phone_change' as const, phone, boundTo: '+8613800138005', code };
    expect((await checkCode(db(), bound, at(MIN))).result).toBe('ok');
  });

  it('V6.5.2 codes are stored only as a salted hash, never as typed', async () => {
    const phone = fresh();
    const first = await issue(phone);
    const rows = await db().selectFrom('one_time_codes').selectAll().where('phone_e164', '=', phone).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(first.code);
    // Salted per row: the same code issued twice is stored differently.
    const twins: string[] = [];
    for (let i = 0; i < 40 && twins.length < 2; i++) {
      const p = fresh();
      const issued = await issue(p);
      if (issued.code === first.code || twins.length === 0) twins.push(p);
    }
    const hashes = await db()
      .selectFrom('one_time_codes')
      .select('code_hash')
      .where('phone_e164', 'in', twins)
      .execute();
    expect(new Set(hashes.map((h) => h.code_hash)).size).toBe(hashes.length);
  });

  it('V6.6.3 brute force is rate limited: 5 wrong tries per code, then even the right code is refused', async () => {
    const phone = fresh();
    const { code } = await issue(phone);
    const left: number[] = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      left.push((await checkCode(db(), { purpose: 'sign_in', phone, code: other(code) }, at(MIN))).triesLeft);
    }
    expect(MAX_FAILURES).toBe(5);
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect((await checkCode(db(), { purpose: 'sign_in', phone, code }, at(MIN))).result).toBe('locked');
  });

  it('V6.6.3 asking for a new code does not reset the failures', async () => {
    const phone = fresh();
    const first = await issue(phone);
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      await checkCode(db(), { purpose: 'sign_in', phone, code: other(first.code) }, at(MIN));
    }
    const second = await issue(phone, 2 * MIN);
    const guess = other(first.code, second.code);
    expect(await checkCode(db(), { purpose: 'sign_in', phone, code: guess }, at(2 * MIN))).toEqual({
      result: 'locked',
      triesLeft: 0,
    });
    expect((await checkCode(db(), { purpose: 'sign_in', phone, code: second.code }, at(2 * MIN))).result).toBe(
      'locked',
    );
  });

  it('V2.4.1 V6.6.3 sending is budgeted per number and per client address (no SMS pumping)', async () => {
    const perRequester = OPEN_BUDGETS.find((b) => b.key === 'requester');
    const perNumber = OPEN_BUDGETS.find((b) => b.key === 'number');
    const perAddress = OPEN_BUDGETS.find((b) => b.key === 'address');
    if (!perRequester || !perNumber || !perAddress) throw new Error('budgets missing');
    // One address gets only its share of a number's budget…
    const phone = fresh();
    const own = [];
    for (let i = 0; i <= perRequester.limit; i++) {
      own.push(await issueCode(db(), { purpose: 'sign_in', phone, ip: '203.0.113.7' }, at(i * 1000)));
    }
    expect(own.map((o) => o.ok)).toEqual([...Array(perRequester.limit).fill(true), false]);
    expect(own.at(-1)).toMatchObject({ ok: false, budget: 'requester' });
    // …and many addresses together no more than the number's.
    const spread = fresh();
    const outcomes = [];
    for (let i = 0; i <= perNumber.limit; i++) {
      outcomes.push(await issueCode(db(), { purpose: 'sign_in', phone: spread, ip: `198.51.100.${i}` }, at(i * 1000)));
    }
    expect(outcomes.map((o) => o.ok)).toEqual([...Array(perNumber.limit).fill(true), false]);
    const refused = outcomes.at(-1);
    expect(refused?.ok === false && refused.budget).toBe('number');
    expect(refused?.ok === false && refused.retryAfterSeconds).toBeGreaterThan(0);
    // One address asking for many numbers (each of its own range) is stopped too.
    const ip = '203.0.113.9';
    const results = [];
    for (let i = 0; i <= perAddress.limit; i++) {
      results.push(
        await issueCode(db(), { purpose: 'sign_in', phone: `+861${String(30 + i)}00138000`, ip }, at(i * 1000)),
      );
    }
    expect(results.filter((r) => r.ok)).toHaveLength(perAddress.limit);
    expect(results.at(-1)).toMatchObject({ ok: false, budget: 'address' });
  });

  it('V6.3.8 valid users cannot be deduced: a known and an unknown number get the same answer', async () => {
    const { lender } = await lenderWithKey(db(), `v6-${Date.now().toString(36)}`);
    const known = fresh();
    const unknown = fresh();
    const borrower = await insertBorrower(
      db(),
      { lenderId: lender.id, externalId: 'B1', name: '甲', locale: 'zh-CN' },
      nowIso(),
    );
    await replaceCurrentPhone(db(), borrower.id, { e164: known, source: 'lender', verifiedAt: nowIso() }, nowIso());
    const sms = recordingProvider();
    const ask = async (phone: string) => {
      const answer = await requestCode(
        db(),
        sms.provider,
        { purpose: 'sign_in', phone, ip: null, locale: 'zh-CN' },
        at(0),
      );
      if (answer.ok) await answer.send();
      return answer;
    };
    const [a, b] = [await ask(known), await ask(unknown)];
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(a.ok && b.ok && a.expiresAt.getTime() === b.expiresAt.getTime()).toBe(true);
    expect(sms.sent.map((s) => s.to)).toEqual([known]); // only the holder of a known number gets a text
    // A guessed code fails the same way for both.
    const wrongKnown = await signInWithCode(db(), { phone: known, code: '000000', ip: null }, at(MIN));
    const wrongUnknown = await signInWithCode(db(), { phone: unknown, code: '000000', ip: null }, at(MIN));
    expect(wrongKnown.ok || wrongUnknown.ok).toBe(false);
    expect(Object.keys(wrongKnown)).toEqual(Object.keys(wrongUnknown));
    // The audit trail says the same for both as well (masked numbers aside).
    const audit = await db()
      .selectFrom('audit_log')
      .select(['action', 'actor_kind', 'details'])
      .where('action', 'in', ['borrower.code_sent', 'borrower.code_refused'])
      .orderBy('at')
      .execute();
    const last = audit.slice(-2).map((e) => ({ ...e, details: (e.details as string).replace(/\d{3}\*{4}\d{4}/, 'M') }));
    expect(last[0]).toEqual(last[1]);
  });

  // V6.3.1 (no malicious lockout) is proved in test/services/borrower-lockout.test.ts and
  // staff-lockout.test.ts, beside the rules it tests.
});
