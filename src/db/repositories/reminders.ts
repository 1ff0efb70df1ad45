import type { InstalmentRow, MessageRow, PhoneNumberRow, RepaymentRow } from '../schema.ts';
import type { Db } from './lenders.ts';

/** Reading what the reminder planner needs, a page of loans at a time (bounded memory). */

export interface LoanPageRow {
  id: string;
  external_id: string;
  borrower_id: string;
  currency: string;
  policy: string | null;
  schedule_after_seq: number | null;
}

/** The columns of a LoanPageRow, for every query that reads loans for the planner. */
export const LOAN_PAGE_COLUMNS = [
  'id',
  'external_id',
  'borrower_id',
  'currency',
  'policy',
  'schedule_after_seq',
] as const;

export async function listLoanPage(db: Db, lenderId: string, afterId: string, limit: number): Promise<LoanPageRow[]> {
  return db
    .selectFrom('loans')
    .select(LOAN_PAGE_COLUMNS)
    .where('lender_id', '=', lenderId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function listLoanPageRowsByIds(db: Db, ids: readonly string[]): Promise<LoanPageRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('loans').select(LOAN_PAGE_COLUMNS).where('id', 'in', ids).orderBy('id').execute();
}

export interface BorrowerFacts {
  id: string;
  external_id: string;
  locale: string;
  time_zone: string | null;
  payday: number | null;
  opted_out_at: string | null;
  disputed_at: string | null;
}

export interface LoanContext {
  instalments: Map<string, InstalmentRow[]>;
  repayments: Map<string, RepaymentRow[]>;
  borrowers: Map<string, BorrowerFacts>;
  phones: Map<string, PhoneNumberRow>;
  pendingRequests: Set<string>;
  activePlans: Set<string>;
  /** Instants of recent reminders per borrower. */
  contacts: Map<string, Date[]>;
  /** Idempotency keys already used among the candidate keys. */
  usedKeys: Set<string>;
}

function group<T, K extends keyof T>(rows: T[], key: K): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const id = row[key] as unknown as string;
    const list = out.get(id);
    if (list) list.push(row);
    else out.set(id, [row]);
  }
  return out;
}

export async function loadLoanContext(
  db: Db,
  loanIds: string[],
  borrowerIds: string[],
  contactsSince: string,
  /** Messages not to count as contacts (a waiting reminder being decided again: not its own cap). */
  notContacts: readonly string[] = [],
): Promise<Omit<LoanContext, 'usedKeys'>> {
  if (loanIds.length === 0) {
    return {
      instalments: new Map(),
      repayments: new Map(),
      borrowers: new Map(),
      phones: new Map(),
      pendingRequests: new Set(),
      activePlans: new Set(),
      contacts: new Map(),
    };
  }
  const [instalments, repayments, borrowers, phones, requests, contacts] = await Promise.all([
    db
      .selectFrom('instalments')
      .selectAll()
      .where('loan_id', 'in', loanIds)
      .orderBy('loan_id')
      .orderBy('seq')
      .execute(),
    db.selectFrom('repayments').selectAll().where('loan_id', 'in', loanIds).orderBy('loan_id').orderBy('seq').execute(),
    db
      .selectFrom('borrowers')
      .select(['id', 'external_id', 'locale', 'time_zone', 'payday', 'opted_out_at', 'disputed_at'])
      .where('id', 'in', borrowerIds)
      .execute(),
    db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('borrower_id', 'in', borrowerIds)
      .where('is_current', '=', 1)
      .execute(),
    db
      .selectFrom('requests')
      .select(['loan_id', 'kind', 'status'])
      .where('loan_id', 'in', loanIds)
      // An approved extension or plan: the new schedule runs (reason plan_active until something falls due).
      .where('status', 'in', ['pending', 'approved'])
      .execute(),
    db
      .selectFrom('messages')
      .select(['borrower_id', 'created_at'])
      .where('borrower_id', 'in', borrowerIds)
      .where('kind', '=', 'reminder')
      .where('created_at', '>=', contactsSince)
      // a text that never went out is no contact
      .where('status', 'not in', ['failed', 'cancelled'])
      .$if(notContacts.length > 0, (q) => q.where('id', 'not in', notContacts))
      .execute(),
  ]);
  const contactMap = new Map<string, Date[]>();
  for (const row of contacts) {
    const list = contactMap.get(row.borrower_id) ?? [];
    list.push(new Date(row.created_at));
    contactMap.set(row.borrower_id, list);
  }
  return {
    instalments: group(instalments, 'loan_id'),
    repayments: group(repayments, 'loan_id'),
    borrowers: new Map(borrowers.map((b) => [b.id, b])),
    phones: new Map(phones.map((p) => [p.borrower_id, p])),
    pendingRequests: new Set(requests.filter((r) => r.status === 'pending').map((r) => r.loan_id)),
    activePlans: new Set(requests.filter((r) => r.status === 'approved').map((r) => r.loan_id)),
    contacts: contactMap,
  };
}

export async function findUsedIdempotencyKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('messages').select('idempotency_key').where('idempotency_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.idempotency_key ?? ''));
}

export async function findUsedReferenceCodes(db: Db, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.selectFrom('messages').select('reference_code').where('reference_code', 'in', codes).execute();
  return new Set(rows.map((r) => r.reference_code ?? ''));
}

/**
 * Records reminders and their outbox rows together. A message whose idempotency key is already
 * taken (another planner got there first) is skipped with its outbox row: never queued twice.
 */
export async function insertQueuedMessages(db: Db, messages: MessageRow[], at: string): Promise<string[]> {
  if (messages.length === 0) return [];
  const inserted: string[] = [];
  for (let i = 0; i < messages.length; i += 200) {
    const chunk = messages.slice(i, i + 200);
    const rows = await db
      .insertInto('messages')
      .values(chunk)
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .execute();
    const ids = new Set(rows.map((r) => r.id));
    const queued = chunk.filter((m) => ids.has(m.id));
    if (queued.length > 0) {
      await db
        .insertInto('outbox')
        .values(
          queued.map((m) => ({
            message_id: m.id,
            status: 'queued',
            next_attempt_at: at,
            lease_owner: null,
            lease_until: null,
            last_error: null,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
    }
    inserted.push(...queued.map((m) => m.id));
  }
  return inserted;
}
