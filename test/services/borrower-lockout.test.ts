import { expect, it } from 'vitest';
import { DEVICE_COOKIE, recogniseDevice } from '../../src/auth/recognised-devices.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { type CodeRequest, confirmCode, requestCode, signInWithCode } from '../../src/services/borrower-auth.ts';
import { putBorrower } from '../../src/services/lender-api.ts';
import type { OutgoingSms } from '../../src/sms/provider.ts';
import { describeEachDialect } from '../support/databases.ts';
import { jar, recordingSms } from '../support/doubles.ts';
import { lenderProfile } from '../support/factories.ts';

// A stranger who knows a borrower's number asks for codes from many addresses and types wrong
// ones: the number is still protected against SMS bombing, but its owner on a browser that signed
// in before still gets a code and signs in. Time moves only through the `now` arguments.

const T0 = Date.UTC(2026, 11, 6, 1, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const codeIn = (message: OutgoingSms | undefined) => /(\d{6})/.exec(message?.text ?? '')?.[1] ?? '';

describeEachDialect('a stranger cannot lock a borrower out of signing in', (get) => {
  const db = () => get().connection.db;
  const sms = recordingSms();

  async function borrower(externalId: string, phone: string) {
    const lender = await upsertLender(db(), lenderProfile(`lk-${externalId.toLowerCase()}`), at(0).toISOString());
    await putBorrower(db(), lender, { keyId: 'test', ip: null }, externalId, { name: '王芳', phone }, at(0));
  }

  /** Asks for a code and sends it when granted (as the page does after answering). */
  async function ask(phone: string, ip: string, minute: number, device: string | null = null): Promise<CodeRequest> {
    const asked = await requestCode(db(), sms, { purpose: 'sign_in', phone, ip, locale: 'zh-CN', device }, at(minute));
    if (asked.ok) await asked.send();
    return asked;
  }

  /** The owner signs in once on their own phone: it becomes a recognised device. */
  async function ownerSignsIn(phone: string, minute: number): Promise<string> {
    expect((await ask(phone, '10.20.0.1', minute)).ok).toBe(true);
    const code = codeIn(sms.sent.findLast((m) => m.to === phone));
    expect(await signInWithCode(db(), { phone, code, ip: '10.20.0.1' }, at(minute))).toEqual({ ok: true });
    const cookies = jar();
    await recogniseDevice(db(), 'borrower', phone, cookies, at(minute));
    return cookies.values.get(DEVICE_COOKIE) ?? '';
  }

  it('V6.3.1 no malicious lockout: the owner’s recognised device gets a code and signs in while strangers spend and lock the rest', async () => {
    const owner = '+8613800138021';
    await borrower('LK-1', owner);
    const device = await ownerSignsIn(owner, 0);
    expect(device).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // the owner asks on their phone; meanwhile strangers flood the number from 20 addresses, some
    // with a device cookie of their own, and type wrong codes until the strangers' code is locked
    expect((await ask(owner, '10.20.0.1', 1, device)).ok).toBe(true);
    const ownerCode = codeIn(sms.sent.findLast((m) => m.to === owner));
    const burst: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      burst.push((await ask(owner, `198.51.100.${i}`, 1 + i * 0.1, i % 2 === 0 ? null : 'x'.repeat(43))).ok);
    }
    expect(burst.filter(Boolean)).toHaveLength(4); // 5 in 15 minutes, the owner's first code included
    for (let i = 0; i < 6; i++) await signInWithCode(db(), { phone: owner, code: '000000', ip: '198.51.100.7' }, at(3));
    expect(await signInWithCode(db(), { phone: owner, code: '000000', ip: '198.51.100.8' }, at(3))).toEqual({
      ok: false,
      reason: 'locked',
      triesLeft: 0,
    });
    // none of that replaced or locked the owner's code
    expect(await signInWithCode(db(), { phone: owner, code: ownerCode, ip: '10.20.0.1', device }, at(4))).toEqual({
      ok: true,
    });

    // strangers go on for two hours from ever new addresses: the number's day budget is spent…
    const later: boolean[] = [];
    for (let i = 0; i < 20; i++) later.push((await ask(owner, `198.51.101.${i}`, 16 + i * 6)).ok);
    expect(later.filter(Boolean)).toHaveLength(5);
    expect((await ask(owner, '203.0.113.50', 140)).ok).toBe(false);
    // …but not the owner's: a code, and it signs in
    expect((await ask(owner, '203.0.113.50', 140, device)).ok).toBe(true);
    const code = codeIn(sms.sent.findLast((m) => m.to === owner));
    expect(await signInWithCode(db(), { phone: owner, code, ip: '203.0.113.50', device }, at(141))).toEqual({
      ok: true,
    });
    // the owner's device cookie is no key to anyone else's number
    const elsewhere = await requestCode(
      db(),
      sms,
      { purpose: 'sign_in', phone: '+8613800138022', ip: '203.0.113.50', locale: 'zh-CN', device },
      at(150),
    );
    expect(elsewhere.ok).toBe(true);
    const rows = await db()
      .selectFrom('one_time_codes')
      .select('device_hash')
      .where('phone_e164', '=', '+8613800138022')
      .execute();
    expect(rows).toEqual([{ device_hash: null }]);
  });

  it('still caps SMS bombing: strangers 10 a day (5 in 15 minutes), the owner’s devices 6 more', async () => {
    const victim = '+8613700137031';
    await borrower('LK-2', victim);
    const device = await ownerSignsIn(victim, 0);
    const before = sms.sent.filter((m) => m.to === victim).length;
    // a burst from 15 addresses in one minute
    const burst = [];
    for (let i = 0; i < 15; i++) burst.push((await ask(victim, `192.0.2.${i}`, 2)).ok);
    expect(burst.filter(Boolean)).toHaveLength(4); // 5 in 15 minutes, the owner's first one included
    // then one a minute from ever new addresses for the rest of the day
    for (let minute = 3; minute < 24 * 60 - 1; minute += 29) await ask(victim, `192.0.3.${minute % 250}`, minute);
    // and the owner's own device (and a second one), asking far more than anyone needs
    const second = await recogniseDevice(db(), 'borrower', victim, jar(), at(5));
    for (let i = 0; i < 10; i++) {
      await ask(victim, '10.20.0.1', 10 + i * 60, device);
      await ask(victim, '10.20.0.2', 11 + i * 60, second);
    }
    const texts = sms.sent.filter((m) => m.to === victim).length;
    expect(texts - before + 1).toBeLessThanOrEqual(16);
    const open = await db()
      .selectFrom('one_time_codes')
      .select('created_at')
      .where('phone_e164', '=', victim)
      .where('device_hash', 'is', null)
      .execute();
    expect(open).toHaveLength(10);
    const own = await db()
      .selectFrom('one_time_codes')
      .select('id')
      .where('phone_e164', '=', victim)
      .where('device_hash', 'is not', null)
      .execute();
    expect(own).toHaveLength(6);
    expect(texts - before + 1).toBe(16);
  });

  it('gives a stranger the same answers for a known and an unknown number', async () => {
    const known = '+8613600136041';
    const unknown = '+8613500135041';
    await borrower('LK-3', known);
    const flood = async (phone: string, net: string) => {
      const answers = [];
      for (let i = 0; i < 24; i++) {
        // one address asking again and again, then many addresses
        const ip = i < 8 ? `${net}.1` : `${net}.${i}`;
        const asked = await requestCode(
          db(),
          sms,
          { purpose: 'sign_in', phone, ip, locale: 'en', device: 'y'.repeat(43) },
          at(1000 + i * 5),
        );
        answers.push(asked.ok ? { ok: true, keys: Object.keys(asked).sort() } : asked);
      }
      return answers;
    };
    const a = await flood(known, '10.31.0');
    const b = await flood(unknown, '10.32.0');
    expect(a).toEqual(b);
    expect(a.filter((x) => x.ok)).toHaveLength(10);
    expect(a.filter((x) => !x.ok)).not.toHaveLength(0);
  });
});

describeEachDialect('a stranger cannot stop the owner from confirming a phone change', (get) => {
  const db = () => get().connection.db;

  it('V6.3.1 no malicious lockout: a re-authentication code lane for the owner’s recognised device', async () => {
    const sms = recordingSms();
    const owner = '+8613800138031';
    const lender = await upsertLender(db(), lenderProfile('lk-reauth'), at(0).toISOString());
    await putBorrower(db(), lender, { keyId: 'test', ip: null }, 'LK-R', { name: '王芳', phone: owner }, at(0));
    const cookies = jar();
    await recogniseDevice(db(), 'borrower', owner, cookies, at(0));
    const device = cookies.values.get(DEVICE_COOKIE) ?? '';

    // Strangers (no recognised device) spend what the number allows them from many addresses.
    let refused = 0;
    for (let i = 0; i < 30; i++) {
      const asked = await requestCode(
        db(),
        sms,
        { purpose: 'reauth', phone: owner, ip: `10.31.0.${i}`, locale: 'zh-CN', requestedBy: owner },
        at(1),
      );
      if (!asked.ok) refused++;
    }
    expect(refused).toBeGreaterThan(0);

    // The signed-in owner on their recognised browser still gets a code and confirms it.
    const asked = await requestCode(
      db(),
      sms,
      { purpose: 'reauth', phone: owner, ip: '10.31.1.1', locale: 'zh-CN', requestedBy: owner, device },
      at(2),
    );
    expect(asked.ok).toBe(true);
    if (asked.ok) await asked.send();
    const code = codeIn(sms.sent.at(-1));
    const checked = await confirmCode(
      db(),
      { purpose: 'reauth', phone: owner, code, requestedBy: owner, ip: '10.31.1.1', device },
      at(2),
    );
    expect(checked.result).toBe('ok');
  });
});
