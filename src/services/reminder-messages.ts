import type { Kysely } from 'kysely';
import type { LoanBalance } from '../core/balance.ts';
import type { Stage } from '../core/eligibility.ts';
import type { LenderProfile } from '../core/lender.ts';
import { textFingerprint } from '../core/message-text.ts';
import type { TemplateChoice } from '../core/template-choice.ts';
import { type ReminderFacts, renderReminder, renderTemplate, type TemplateLocale } from '../core/templates.ts';
import { hashToken, LINK_TOKEN_BYTES, linkToken, referenceCode } from '../core/tokens.ts';
import { newSortableId, secureRandomBytes } from '../db/ids.ts';
import { findUsedIdempotencyKeys, findUsedReferenceCodes, insertQueuedMessages } from '../db/repositories/reminders.ts';
import type { Database, MessageRow } from '../db/schema.ts';

/**
 * A reminder for one loan, as the schedule or a staff member sends it: the text rendered from the
 * loan's balance with a fresh short-link token and reference code, ready for the outbox. The
 * idempotency key is (borrower-local date, loan, stage), plus a suffix for other ways of sending
 * (`manual`), so the same reminder is never queued twice.
 */
export interface ReminderDraft {
  lender: LenderProfile;
  loan: { id: string; borrower_id: string; currency: string };
  balance: LoanBalance;
  stage: Stage;
  daysOverdue: number;
  /** The borrower-local date the reminder is for. */
  localDate: string;
  locale: TemplateLocale;
  phoneE164: string;
  now: Date;
  /** The staff member sending it by hand; null or absent for the schedule. */
  sentBy?: string | null;
  /** Appended to the idempotency key (`manual`): another way of sending the same day's reminder. */
  keySuffix?: string;
  /**
   * The wording to use, as chooseTemplate (template-versions.ts) picks it for this loan: recorded
   * on the message with its version and experiment variant. Absent: the lender's policy wording
   * or the built-in one, with no version recorded.
   */
  template?: TemplateChoice;
}

/** What a reminder says is owed: everything overdue (penalty included), the penalty, the oldest due date. */
export function reminderAmounts(balance: LoanBalance): { amountDue: number; penalty: number; dueDate: string } {
  const overdue = balance.instalments.filter((i) => i.status === 'overdue' || i.status === 'grace');
  return {
    amountDue: overdue.reduce((sum, i) => sum + i.principal + i.interest + i.penalty, 0),
    penalty: overdue.reduce((sum, i) => sum + i.penalty, 0),
    dueDate: overdue.map((i) => i.dueDate).sort()[0] ?? balance.asOf,
  };
}

export function buildReminderMessage(draft: ReminderDraft): MessageRow {
  const { lender, loan, balance, now } = draft;
  const token = linkToken(secureRandomBytes(LINK_TOKEN_BYTES));
  const code = referenceCode(secureRandomBytes(7));
  const facts: ReminderFacts = {
    stage: draft.stage,
    locale: draft.locale,
    currency: loan.currency,
    ...reminderAmounts(balance),
    daysOverdue: draft.daysOverdue,
    link: `https://${lender.shortLinkDomain}/r/${token}`,
    code,
    today: balance.asOf,
  };
  // The stage's chosen wording (a saved version, or an experiment's variant); without one, the
  // policy's or the built-in wording, as before versions existed.
  const rendered = draft.template
    ? renderTemplate(draft.template.body, lender, facts)
    : renderReminder(lender, facts, lender.reminders.templates);
  const at = now.toISOString();
  // (local date, loan, stage): date first, so a day's keys sit together in the index.
  const key = `${draft.localDate}:${loan.id}:${draft.stage}${draft.keySuffix ? `:${draft.keySuffix}` : ''}`;
  return {
    id: newSortableId(),
    lender_id: lender.id,
    borrower_id: loan.borrower_id,
    loan_id: loan.id,
    phone_e164: draft.phoneE164,
    kind: 'reminder',
    stage: draft.stage,
    locale: draft.locale,
    body: rendered.text,
    token_hash: hashToken(token),
    reference_code: code,
    fingerprint: textFingerprint(rendered.text),
    status: 'queued',
    provider: null,
    provider_message_id: null,
    created_at: at,
    sent_at: null,
    expires_at: new Date(now.getTime() + lender.reminders.linkExpiryDays * 86_400_000).toISOString(),
    idempotency_key: key,
    template_key: rendered.key,
    template_params: JSON.stringify(rendered.params),
    delivered_at: null,
    error: null,
    template_version_id: draft.template?.versionId ?? null,
    variant: draft.template?.variant ?? null,
    sent_by: draft.sentBy ?? null,
    opened_at: null,
    verified_at: null,
  };
}

/**
 * Queues reminders (message + outbox row) unless their idempotency key was used already; returns
 * the ids actually queued. Call inside the transaction that decided them. `queuedAt` is the
 * outbox's clock (when they become due).
 */
export async function queueReminderMessages(
  db: Kysely<Database>,
  messages: MessageRow[],
  queuedAt = new Date(),
): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const used = await findUsedIdempotencyKeys(
    db,
    messages.map((m) => m.idempotency_key ?? ''),
  );
  const fresh = messages.filter((m) => !used.has(m.idempotency_key ?? ''));
  await avoidCodeCollisions(db, fresh);
  // Decisions use the instant asked about; the outbox runs on the real clock (unless the caller
  // replays another, as the demo does), so a cycle planned "as of" another time is still
  // dispatched right away.
  return new Set(await insertQueuedMessages(db, fresh, queuedAt.toISOString()));
}

/** Reference codes are short (35 bits): redraw the rare one already taken, here or in this page. */
export async function avoidCodeCollisions(db: Kysely<Database>, messages: MessageRow[]): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const taken = await findUsedReferenceCodes(
      db,
      messages.map((m) => m.reference_code ?? ''),
    );
    const seen = new Set<string>();
    let redrawn = 0;
    for (const message of messages) {
      const code = message.reference_code ?? '';
      if (taken.has(code) || seen.has(code)) {
        const fresh = referenceCode(secureRandomBytes(7));
        message.body = message.body.replace(code, fresh);
        message.fingerprint = textFingerprint(message.body);
        const params = JSON.parse(message.template_params ?? '{}') as Record<string, string>;
        message.template_params = JSON.stringify({ ...params, code: fresh });
        message.reference_code = fresh;
        redrawn++;
      }
      seen.add(message.reference_code ?? '');
    }
    if (redrawn === 0) return;
  }
}
