import type { Kysely } from 'kysely';
import { CODE_LIFETIME_MS, type CodePurpose, checkCode, issueCode } from '../auth/one-time-codes.ts';
import { recognisedDevice } from '../auth/recognised-devices.ts';
import { maskPhone } from '../core/phone.ts';
import { newId, nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { isCurrentNumber, markNumberVerified } from '../db/repositories/people.ts';
import type { Database } from '../db/schema.ts';
import type { SmsProvider } from '../sms/provider.ts';

/**
 * Borrower sign-in by one-time code, and the codes that guard a phone change. The answer to
 * "send me a code" is the same whether or not the number is known: a code row is written either
 * way (so budgets count the same), but an SMS goes only to a number on file, and it goes after
 * the answer, so timing tells nothing either. A browser that signed in as the number before (its
 * device cookie's token, `device`) asks and checks in a lane of its own that strangers cannot
 * spend or lock (one-time-codes.ts); only a number's owner can have one, so a stranger still
 * learns nothing.
 */

type Db = Kysely<Database>;
type Locale = 'zh-CN' | 'en';

const PURPOSE_WORDS: Record<CodePurpose, Record<Locale, string>> = {
  sign_in: { 'zh-CN': '登录真信', en: 'sign in to Zhenxin' },
  reauth: { 'zh-CN': '确认是您本人', en: 'confirm it is you' },
  phone_change: { 'zh-CN': '把这个号码设为您的还款提醒号码', en: 'make this your number for reminders' },
};

const CODE_MINUTES = CODE_LIFETIME_MS / 60_000;

export function codeMessage(code: string, purpose: CodePurpose, locale: Locale): string {
  const words = PURPOSE_WORDS[purpose][locale];
  return locale === 'en'
    ? `[Zhenxin] ${code} is your code to ${words}. It expires in ${CODE_MINUTES} minutes. Never tell anyone: lenders and Zhenxin never ask for it.`
    : `【真信】验证码 ${code}，用于${words}，${CODE_MINUTES} 分钟内有效。贷款机构和真信的工作人员都不会向您索要，请勿告诉任何人。`;
}

export type CodeRequest =
  | { ok: true; expiresAt: Date; send: () => Promise<void> }
  | { ok: false; retryAfterSeconds: number };

/**
 * Issues a code. `send` delivers it (call it after answering); it does nothing for a sign-in
 * code to a number nobody has on file. `deliverTo` is where the code goes — the number itself.
 */
export async function requestCode(
  db: Db,
  sms: SmsProvider,
  input: {
    purpose: CodePurpose;
    phone: string;
    ip: string | null;
    locale: Locale;
    /** The signed-in number asking (a phone change): the code works only for them. */
    requestedBy?: string;
    /** The device cookie's token, if the browser has one. */
    device?: string | null;
  },
  now = new Date(),
): Promise<CodeRequest> {
  const { requestedBy } = input;
  const device = await recognisedDevice(db, 'borrower', input.phone, input.device ?? null, now);
  const issued = await issueCode(
    db,
    {
      purpose: input.purpose,
      phone: input.phone,
      ip: input.ip,
      device,
      ...(requestedBy ? { boundTo: requestedBy } : {}),
    },
    now,
  );
  await recordAudit(
    db,
    {
      actorKind: requestedBy ? 'borrower' : 'anonymous',
      actorId: requestedBy ? maskPhone(requestedBy) : null,
      action: issued.ok ? 'borrower.code_sent' : 'borrower.code_refused',
      subject: null,
      details: issued.ok
        ? { purpose: input.purpose, phone: maskPhone(input.phone), recognisedDevice: device !== null }
        : { purpose: input.purpose, phone: maskPhone(input.phone), budget: issued.budget },
      ip: input.ip,
    },
    nowIso(now),
  );
  if (!issued.ok) return { ok: false, retryAfterSeconds: issued.retryAfterSeconds };
  const deliver = input.purpose !== 'sign_in' || (await isCurrentNumber(db, input.phone));
  const text = codeMessage(issued.code, input.purpose, input.locale);
  return {
    ok: true,
    expiresAt: issued.expiresAt,
    send: async () => {
      if (!deliver) return;
      await sms.send({
        messageId: newId(),
        to: input.phone,
        text,
        template: { key: `code.${input.locale}`, params: { code: issued.code } },
        firstAttemptAt: new Date(),
      });
    },
  };
}

export type SignInResult = { ok: true } | { ok: false; reason: 'wrong' | 'expired' | 'locked'; triesLeft: number };

/**
 * Checks a sign-in code. On success the number counts as verified for every borrower record that
 * has it (the person proved they hold it), and the sign-in is audited.
 */
export async function signInWithCode(
  db: Db,
  input: { phone: string; code: string; ip: string | null; device?: string | null },
  now = new Date(),
): Promise<SignInResult> {
  const device = await recognisedDevice(db, 'borrower', input.phone, input.device ?? null, now);
  const checked = await checkCode(db, { purpose: 'sign_in', phone: input.phone, code: input.code, device }, now);
  const ok = checked.result === 'ok' && (await isCurrentNumber(db, input.phone));
  await recordAudit(
    db,
    {
      actorKind: ok ? 'borrower' : 'anonymous',
      actorId: ok ? maskPhone(input.phone) : null,
      action: ok ? 'borrower.sign_in' : 'borrower.sign_in_failed',
      subject: null,
      details: ok ? { phone: maskPhone(input.phone) } : { phone: maskPhone(input.phone), reason: checked.result },
      ip: input.ip,
    },
    nowIso(now),
  );
  if (!ok) {
    return { ok: false, reason: checked.result === 'ok' ? 'wrong' : checked.result, triesLeft: checked.triesLeft };
  }
  await markNumberVerified(db, input.phone, nowIso(now));
  return { ok: true };
}

/**
 * Checks a code for a purpose other than sign-in, for the signed-in number `requestedBy`: a
 * re-authentication (a code to that number) or a new number (a code bound to who asked for it).
 * Failed attempts are audited like failed sign-ins.
 */
export async function confirmCode(
  db: Db,
  input: {
    purpose: Exclude<CodePurpose, 'sign_in'>;
    phone: string;
    code: string;
    requestedBy: string;
    ip: string | null;
    /** The device cookie's token, as given when the code was asked for (it chooses the lane). */
    device?: string | null;
  },
  now = new Date(),
) {
  const device = await recognisedDevice(db, 'borrower', input.phone, input.device ?? null, now);
  const checked = await checkCode(
    db,
    { purpose: input.purpose, phone: input.phone, code: input.code, boundTo: input.requestedBy, device },
    now,
  );
  // A failure is always audited; a passed re-authentication too (a phone change completing is
  // audited where it happens).
  if (checked.result !== 'ok' || input.purpose === 'reauth') {
    await recordAudit(
      db,
      {
        actorKind: 'borrower',
        actorId: maskPhone(input.requestedBy),
        action: checked.result === 'ok' ? 'borrower.reauth' : 'borrower.code_failed',
        subject: null,
        details:
          checked.result === 'ok'
            ? {}
            : { purpose: input.purpose, phone: maskPhone(input.phone), reason: checked.result },
        ip: input.ip,
      },
      nowIso(now),
    );
  }
  return checked;
}
