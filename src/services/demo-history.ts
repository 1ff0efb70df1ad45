import type { Kysely } from 'kysely';
import { computeBalance, type LoanBalance } from '../core/balance.ts';
import { addDays, instantAt, toDayNumber } from '../core/dates.ts';
import type { Stage } from '../core/eligibility.ts';
import type { LenderProfile } from '../core/lender.ts';
import { textFingerprint } from '../core/message-text.ts';
import { DEFAULT_TEMPLATES, renderReminder, type TemplateLocale } from '../core/templates.ts';
import { hashToken, LINK_TOKEN_BYTES, linkToken, referenceCode } from '../core/tokens.ts';
import { newId, newSortableId, secureRandomBytes } from '../db/ids.ts';
import { findBorrower, insertBorrower, replaceCurrentPhone } from '../db/repositories/borrowers.ts';
import { findLenderBySlug } from '../db/repositories/lenders.ts';
import { insertLoan, insertRepayment, replaceInstalments } from '../db/repositories/loans.ts';
import type { Database, MessageRow } from '../db/schema.ts';
import { type HoldbackRow, recordHoldbacks } from './reminder-holdbacks.ts';
import { avoidCodeCollisions } from './reminder-messages.ts';

/**
 * A few weeks of reminder history for the demo lender, so the console's effect report has
 * something to say: reminders at every stage (the gentle Chinese one as an experiment of two
 * versions), deliveries and failures, opens, genuine checks, replies, opt-outs, repayments and
 * loans held back by the weekly cap or the hour.
 *
 * It never touches the demo's own borrowers: its borrowers (H001…) and loans are its own, and
 * every loan is repaid in full before the seed's anchor day, so no reminder cycle reminds them and
 * no cap of a demo borrower moves. The history ends 9 days before the anchor (each loan still
 * waiting is settled the day before it, more than 7 days after its last reminder, so it does not
 * count as repaid after one). Deterministic (a fixed random seed) and idempotent: a second run
 * changes nothing.
 */

export interface HistoryReport {
  created: boolean;
  borrowers: number;
  messages: number;
  holdbacks: number;
  from: string;
  to: string;
}

const BORROWERS = 260;
const HISTORY_DAYS = 28;
/** The history's last day is this many days before the anchor. */
const LAST_DAY_BEFORE_ANCHOR = 9;

/** The experiment's second wording of the gentle Chinese reminder: the same facts, a softer ask. */
const GENTLE_B =
  '{signature}提醒您：本期应还{amount}（含罚息{penalty}），还款日{dueDate}。可通过{channel}还款，如有困难可申请延期或分期。核实本短信：{link} 查询码{code}。客服{hotline}';

const REPLIES = ['好的，这两天还', '已经还了，请查收', '请问可以分期吗？', '收到', '工资下周发，发了就还'];
const NAMES = ['张', '王', '李', '赵', '刘', '陈', '杨', '黄', '周', '吴', '徐', '孙'];

/** mulberry32: a small seeded generator, so the demo looks the same on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function stageOn(daysOverdue: number): Stage {
  if (daysOverdue >= 31) return 'final';
  if (daysOverdue >= 8) return 'firm';
  return 'gentle';
}

export async function seedDemoHistory(db: Kysely<Database>, anchorDate: string): Promise<HistoryReport> {
  const to = addDays(anchorDate, -LAST_DAY_BEFORE_ANCHOR);
  const from = addDays(to, -(HISTORY_DAYS - 1));
  const none = { created: false, borrowers: 0, messages: 0, holdbacks: 0, from, to };
  const lender = await findLenderBySlug(db, 'demo');
  if (!lender) return none;
  if (await findBorrower(db, lender.id, 'H001')) return none;
  return db.transaction().execute((trx) => writeHistory(trx, lender, from, to, anchorDate));
}

async function writeHistory(
  db: Kysely<Database>,
  lender: LenderProfile,
  from: string,
  to: string,
  anchorDate: string,
): Promise<HistoryReport> {
  const random = generator(20_261_206);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const tz = lender.policy.timeZone;
  const seededAt = instantAt(addDays(from, -40), '09:00', tz).toISOString();
  const experiment = await experimentVersions(db, lender, instantAt(from, '09:00', tz).toISOString());

  const messages: MessageRow[] = [];
  const holdbacks: HoldbackRow[] = [];
  const inbound: Array<Database['inbound_messages']> = [];
  const spanDays = toDayNumber(to) - toDayNumber(from) + 1;

  for (let n = 1; n <= BORROWERS; n++) {
    const ref = String(n).padStart(3, '0');
    const locale: TemplateLocale = random() < 0.85 ? 'zh-CN' : 'en';
    const phone = `+86170${String(10_000_000 + n).slice(-8)}`;
    const borrower = await insertBorrower(
      db,
      {
        lenderId: lender.id,
        externalId: `H${ref}`,
        name: `${pick(NAMES)}${locale === 'en' ? ' (EN)' : '某'}${ref}`,
        locale,
      },
      seededAt,
    );
    await replaceCurrentPhone(db, borrower.id, { e164: phone, source: 'lender', verifiedAt: seededAt }, seededAt);
    const loan = await insertLoan(
      db,
      { lenderId: lender.id, borrowerId: borrower.id, externalId: `LH${ref}`, currency: 'CNY', policy: null },
      seededAt,
    );
    // First reminder somewhere in the history; the loan then at the gentle, firm or final stage.
    const first = addDays(from, Math.floor(random() * (spanDays - 2)));
    const roll = random();
    const overdueAtFirst =
      roll < 0.5 ? 4 : roll < 0.85 ? 8 + Math.floor(random() * 12) : 31 + Math.floor(random() * 20);
    const dueDate = addDays(first, -overdueAtFirst);
    const principal = (50 + Math.floor(random() * 400)) * 1_000;
    const terms = [{ dueDate, principal, interest: Math.round(principal * 0.02) }];
    await replaceInstalments(db, loan.id, terms);
    // In the experiment, the same loan always gets the same version (half and half).
    const variant: 'A' | 'B' = n % 2 === 0 ? 'A' : 'B';

    const sentDays: string[] = [];
    let lastEvent = first;
    let repaidOn: string | null = null;
    let optedOutAt: string | null = null;
    for (let day = first; day <= to && day <= addDays(first, 12); day = addDays(day, 1)) {
      // Once the borrower has decided to repay, the story ends: no later reminder or hold-back
      // competes for the repayment (the report would count it after the latest one only).
      if (repaidOn !== null) break;
      if (optedOutAt) break;
      const stage = stageOn(toDayNumber(day) - toDayNumber(dueDate));
      const weekly = sentDays.filter((d) => toDayNumber(day) - toDayNumber(d) < 7).length;
      // Reminded every other day or so; held back by the weekly cap (3) or, now and then, the hour.
      if (sentDays.length > 0 && random() < 0.35) continue;
      const heldBy = weekly >= 3 ? 'weekly_cap' : random() < 0.06 ? 'quiet_hours' : null;
      lastEvent = day;
      if (heldBy) {
        holdbacks.push({
          loan_id: loan.id,
          local_date: day,
          stage,
          lender_id: lender.id,
          reasons: JSON.stringify([heldBy]),
          at: instantAt(day, heldBy === 'quiet_hours' ? '07:30' : '10:00', tz).toISOString(),
        });
        if (repaidOn === null && random() < 0.06) repaidOn = addDays(day, Math.floor(random() * 8));
        continue;
      }
      const sentAt = instantAt(
        day,
        `${9 + Math.floor(random() * 3)}:${String(Math.floor(random() * 60)).padStart(2, '0')}`,
        tz,
      );
      const inExperiment = stage === 'gentle' && locale === 'zh-CN' && experiment !== null;
      const outcome = random();
      const status = outcome < 0.92 ? 'delivered' : outcome < 0.96 ? 'undelivered' : 'failed';
      const message = historyMessage({
        lender,
        loanId: loan.id,
        borrowerId: borrower.id,
        phone,
        stage,
        locale,
        day,
        dueDate,
        daysOverdue: toDayNumber(day) - toDayNumber(dueDate),
        balance: computeBalance(terms, [], lender.policy, day),
        sentAt,
        status,
        body: inExperiment ? (variant === 'A' ? DEFAULT_TEMPLATES['gentle.zh-CN'] : GENTLE_B) : undefined,
        versionId: inExperiment ? (variant === 'A' ? experiment.a : experiment.b) : null,
        variant: inExperiment ? variant : null,
      });
      sentDays.push(day);
      if (status === 'delivered') {
        const better = inExperiment && variant === 'B';
        const opened = random() < (better ? 0.58 : 0.44);
        if (opened) message.opened_at = minutesAfter(sentAt, 3 + Math.floor(random() * 240));
        if (random() < (opened ? 0.35 : 0.06))
          message.verified_at = minutesAfter(sentAt, 10 + Math.floor(random() * 300));
        if (random() < 0.05)
          inbound.push(reply(lender, borrower.id, phone, message.id, pick(REPLIES), 'reply', sentAt, random));
        if (random() < 0.015) {
          const optOut = reply(lender, borrower.id, phone, message.id, '退订', 'opt_out', sentAt, random);
          inbound.push(optOut);
          optedOutAt = optOut.received_at;
        }
        const chance = { gentle: better ? 0.3 : 0.21, firm: 0.16, final: 0.12 }[stage];
        if (repaidOn === null && random() < chance) {
          const lag = pick([0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7]);
          repaidOn = addDays(day, lag);
        }
      }
      messages.push(message);
    }
    if (optedOutAt)
      await db.updateTable('borrowers').set({ opted_out_at: optedOutAt }).where('id', '=', borrower.id).execute();
    // Whoever has not repaid settles more than 7 days after the last reminder or hold-back (so it is
    // counted after neither), and before the anchor at the latest.
    const settles = addDays(lastEvent, 8 + Math.floor(random() * 6));
    const lastDay = addDays(anchorDate, -1);
    const paidOn = repaidOn ?? [settles, lastDay].sort()[0] ?? lastDay;
    const payoff = computeBalance(terms, [], lender.policy, paidOn).total;
    await insertRepayment(
      db,
      {
        loanId: loan.id,
        seq: 0,
        amount: payoff,
        paidOn,
        idempotencyKey: `demo-history-H${ref}`,
        response: JSON.stringify({ loan: `LH${ref}`, amount: payoff, paidOn, seeded: true }),
      },
      seededAt,
    );
  }

  await avoidCodeCollisions(db, messages);
  for (let i = 0; i < messages.length; i += 200)
    await db
      .insertInto('messages')
      .values(messages.slice(i, i + 200))
      .execute();
  for (let i = 0; i < inbound.length; i += 200)
    await db
      .insertInto('inbound_messages')
      .values(inbound.slice(i, i + 200))
      .execute();
  await recordHoldbacks(db, holdbacks);
  return { created: true, borrowers: BORROWERS, messages: messages.length, holdbacks: holdbacks.length, from, to };
}

function minutesAfter(at: Date, minutes: number): string {
  return new Date(at.getTime() + minutes * 60_000).toISOString();
}

function historyMessage(input: {
  lender: LenderProfile;
  loanId: string;
  borrowerId: string;
  phone: string;
  stage: Stage;
  locale: TemplateLocale;
  day: string;
  dueDate: string;
  daysOverdue: number;
  balance: LoanBalance;
  sentAt: Date;
  status: string;
  body: string | undefined;
  versionId: string | null;
  variant: 'A' | 'B' | null;
}): MessageRow {
  const token = linkToken(secureRandomBytes(LINK_TOKEN_BYTES));
  const code = referenceCode(secureRandomBytes(7));
  const key = `${input.stage}.${input.locale}` as const;
  const rendered = renderReminder(
    input.lender,
    {
      stage: input.stage,
      locale: input.locale,
      currency: 'CNY',
      amountDue: input.balance.total,
      penalty: input.balance.penalty,
      dueDate: input.dueDate,
      daysOverdue: input.daysOverdue,
      link: `https://${input.lender.shortLinkDomain}/r/${token}`,
      code,
    },
    input.body ? { [key]: input.body } : {},
  );
  const at = input.sentAt.toISOString();
  const handedOver = input.status !== 'failed';
  return {
    id: newSortableId(input.sentAt.getTime()),
    lender_id: input.lender.id,
    borrower_id: input.borrowerId,
    loan_id: input.loanId,
    phone_e164: input.phone,
    kind: 'reminder',
    stage: input.stage,
    locale: input.locale,
    body: rendered.text,
    token_hash: hashToken(token),
    reference_code: code,
    fingerprint: textFingerprint(rendered.text),
    status: input.status,
    provider: 'dev',
    provider_message_id: handedOver ? `demo-history-${newId()}` : null,
    created_at: at,
    sent_at: handedOver ? minutesAfter(input.sentAt, 0.05) : null,
    expires_at: new Date(input.sentAt.getTime() + input.lender.reminders.linkExpiryDays * 86_400_000).toISOString(),
    idempotency_key: `${input.day}:${input.loanId}:${input.stage}`,
    template_key: rendered.key,
    template_params: JSON.stringify(rendered.params),
    delivered_at: input.status === 'delivered' ? minutesAfter(input.sentAt, 0.2) : null,
    error: input.status === 'delivered' ? null : input.status === 'failed' ? 'rejected: invalid number' : 'UNDELIV',
    template_version_id: input.versionId,
    variant: input.variant,
    sent_by: null,
    opened_at: null,
    verified_at: null,
  };
}

function reply(
  lender: LenderProfile,
  borrowerId: string,
  phone: string,
  messageId: string,
  body: string,
  kind: 'reply' | 'opt_out',
  sentAt: Date,
  random: () => number,
): Database['inbound_messages'] {
  const received = minutesAfter(sentAt, 20 + Math.floor(random() * 600));
  return {
    id: newId(),
    provider: 'dev',
    provider_message_id: `demo-history-${newId()}`,
    from_e164: phone,
    to_number: null,
    body,
    kind,
    lender_id: lender.id,
    borrower_id: borrowerId,
    message_id: messageId,
    received_at: received,
    handled_at: kind === 'reply' && random() < 0.7 ? minutesAfter(new Date(received), 90) : null,
    handled_by: null,
  };
}

/**
 * Version 1 (the built-in wording) and version 2 of the gentle Chinese reminder, with the stage
 * running them side by side (half of the loans each) since the history began. A lender that
 * already has versions of that stage keeps them: the history then has no experiment.
 */
async function experimentVersions(
  db: Kysely<Database>,
  lender: LenderProfile,
  at: string,
): Promise<{ a: string; b: string } | null> {
  const existing = await db
    .selectFrom('template_versions')
    .select('id')
    .where('lender_id', '=', lender.id)
    .where('stage', '=', 'gentle')
    .where('locale', '=', 'zh-CN')
    .executeTakeFirst();
  const stage = await db
    .selectFrom('template_stages')
    .select('lender_id')
    .where('lender_id', '=', lender.id)
    .where('stage', '=', 'gentle')
    .where('locale', '=', 'zh-CN')
    .executeTakeFirst();
  if (existing || stage) return null;
  const a = newId();
  const b = newId();
  await db
    .insertInto('template_versions')
    .values([
      {
        id: a,
        lender_id: lender.id,
        stage: 'gentle',
        locale: 'zh-CN',
        version: 1,
        body: DEFAULT_TEMPLATES['gentle.zh-CN'],
        created_by: null,
        created_at: at,
      },
      {
        id: b,
        lender_id: lender.id,
        stage: 'gentle',
        locale: 'zh-CN',
        version: 2,
        body: GENTLE_B,
        created_by: null,
        created_at: at,
      },
    ])
    .execute();
  await db
    .insertInto('template_stages')
    .values({
      lender_id: lender.id,
      stage: 'gentle',
      locale: 'zh-CN',
      active_version_id: a,
      variant_version_id: b,
      variant_share: 50,
      experiment_started_at: at,
      updated_by: null,
      updated_at: at,
    })
    .execute();
  return { a, b };
}
