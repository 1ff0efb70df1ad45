import type { Kysely } from 'kysely';
import type { LenderProfile } from '../../src/core/lender.ts';
import { newId, newSortableId } from '../../src/db/ids.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import type { Database, MessageRow } from '../../src/db/schema.ts';
import { lenderProfile } from './factories.ts';

/** Rows for effect-report tests, written directly: a lender, loans, reminders and what followed. */

const CREATED = '2026-01-01T00:00:00.000Z';

export async function reportLender(
  db: Kysely<Database>,
  slug: string,
  timeZone = 'Asia/Shanghai',
): Promise<LenderProfile> {
  const profile = lenderProfile(slug);
  return upsertLender(db, { ...profile, policy: { ...profile.policy, timeZone } }, CREATED);
}

/** `count` borrowers with one loan each; returns the loans' ids and borrowers' ids. */
export async function reportLoans(
  db: Kysely<Database>,
  lender: LenderProfile,
  count: number,
): Promise<Array<{ id: string; borrowerId: string }>> {
  const out: Array<{ id: string; borrowerId: string }> = [];
  for (let i = 0; i < count; i++) {
    const borrowerId = newId();
    const id = newId();
    await db
      .insertInto('borrowers')
      .values({
        id: borrowerId,
        lender_id: lender.id,
        external_id: `${lender.slug}-B${i}`,
        name: `借款人${i}`,
        locale: 'zh-CN',
        time_zone: null,
        payday: null,
        opted_out_at: null,
        disputed_at: null,
        created_at: CREATED,
        updated_at: CREATED,
      })
      .execute();
    await db
      .insertInto('loans')
      .values({
        id,
        lender_id: lender.id,
        borrower_id: borrowerId,
        external_id: `${lender.slug}-L${i}`,
        currency: 'CNY',
        policy: null,
        created_at: CREATED,
        updated_at: CREATED,
        schedule_after_seq: null,
      })
      .execute();
    out.push({ id, borrowerId });
  }
  return out;
}

export async function templateVersion(
  db: Kysely<Database>,
  lender: LenderProfile,
  stage: string,
  locale: string,
  version: number,
): Promise<string> {
  const id = newId();
  await db
    .insertInto('template_versions')
    .values({
      id,
      lender_id: lender.id,
      stage,
      locale,
      version,
      body: `v${version}`,
      created_by: null,
      created_at: CREATED,
    })
    .execute();
  return id;
}

export interface ReminderSpec {
  loan: { id: string; borrowerId: string };
  stage: 'gentle' | 'firm' | 'final';
  createdAt: string;
  /** The borrower-local date of its idempotency key (default: the UTC date of createdAt). */
  keyDate?: string;
  status?: string;
  deliveredAt?: string | null;
  openedAt?: string | null;
  verifiedAt?: string | null;
  locale?: string;
  templateVersionId?: string | null;
  variant?: 'A' | 'B' | null;
}

export async function insertReminder(db: Kysely<Database>, lender: LenderProfile, spec: ReminderSpec): Promise<string> {
  const id = newSortableId(Date.parse(spec.createdAt));
  const status = spec.status ?? 'delivered';
  const row: MessageRow = {
    id,
    lender_id: lender.id,
    borrower_id: spec.loan.borrowerId,
    loan_id: spec.loan.id,
    phone_e164: '+8613800000000',
    kind: 'reminder',
    stage: spec.stage,
    locale: spec.locale ?? 'zh-CN',
    body: `reminder ${id}`,
    token_hash: null,
    reference_code: null,
    fingerprint: null,
    status,
    provider: 'dev',
    provider_message_id: null,
    created_at: spec.createdAt,
    sent_at: status === 'queued' || status === 'cancelled' ? null : spec.createdAt,
    expires_at: null,
    idempotency_key: `${spec.keyDate ?? spec.createdAt.slice(0, 10)}:${spec.loan.id}:${spec.stage}:${id}`,
    template_key: null,
    template_params: null,
    delivered_at: spec.deliveredAt ?? (status === 'delivered' ? spec.createdAt : null),
    error: null,
    template_version_id: spec.templateVersionId ?? null,
    variant: spec.variant ?? null,
    sent_by: null,
    opened_at: spec.openedAt ?? null,
    verified_at: spec.verifiedAt ?? null,
  };
  await db.insertInto('messages').values(row).execute();
  return id;
}

export async function insertInbound(
  db: Kysely<Database>,
  lender: LenderProfile,
  messageId: string | null,
  kind: 'reply' | 'opt_out',
  receivedAt: string,
): Promise<void> {
  await db
    .insertInto('inbound_messages')
    .values({
      id: newId(),
      provider: 'dev',
      provider_message_id: newId(),
      from_e164: '+8613800000000',
      to_number: null,
      body: kind === 'opt_out' ? '退订' : '好的',
      kind,
      lender_id: lender.id,
      borrower_id: null,
      message_id: messageId,
      received_at: receivedAt,
      handled_at: null,
      handled_by: null,
    })
    .execute();
}

let repaymentSeq = 0;

export async function insertRepayment(
  db: Kysely<Database>,
  loanId: string,
  paidOn: string,
  amount: number,
): Promise<void> {
  repaymentSeq++;
  await db
    .insertInto('repayments')
    .values({
      id: newId(),
      loan_id: loanId,
      seq: repaymentSeq,
      amount,
      paid_on: paidOn,
      idempotency_key: `fx-${repaymentSeq}`,
      response: '{}',
      created_at: CREATED,
    })
    .execute();
}

export async function insertHoldback(
  db: Kysely<Database>,
  lender: LenderProfile,
  loanId: string,
  localDate: string,
  stage: string,
  reasons: string[] = ['weekly_cap'],
): Promise<void> {
  await db
    .insertInto('reminder_holdbacks')
    .values({
      loan_id: loanId,
      local_date: localDate,
      stage,
      lender_id: lender.id,
      reasons: JSON.stringify(reasons),
      at: CREATED,
    })
    .onConflict((c) => c.columns(['loan_id', 'local_date', 'stage']).doNothing())
    .execute();
}
