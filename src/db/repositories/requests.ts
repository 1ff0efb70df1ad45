import type { ReliefTerms } from '../../core/relief.ts';
import { newId } from '../ids.ts';
import type { Db } from './lenders.ts';

export async function listRequests(db: Db, lenderId: string, status: string | undefined) {
  let query = db
    .selectFrom('requests')
    .innerJoin('loans', 'loans.id', 'requests.loan_id')
    .innerJoin('borrowers', 'borrowers.id', 'requests.borrower_id')
    .select([
      'requests.id',
      'requests.kind',
      'requests.status',
      'requests.terms',
      'requests.reason_category',
      'requests.created_at',
      'requests.decided_at',
      'requests.decision_note',
      'requests.quote',
      'loans.external_id as loan_external_id',
      'borrowers.external_id as borrower_external_id',
    ])
    .where('requests.lender_id', '=', lenderId);
  if (status) query = query.where('requests.status', '=', status);
  return query.orderBy('requests.created_at').orderBy('requests.id').limit(1000).execute();
}

export interface NewRequest {
  lenderId: string;
  loanId: string;
  borrowerId: string;
  kind: 'extension' | 'plan';
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  terms: ReliefTerms;
  reasonCategory: string | null;
  reasonText: string | null;
  idempotencyKey: string | null;
  decidedBy: string | null;
  /** The previewed schedule the borrower agreed to (JSON). */
  quote?: string | null;
}

export async function insertRequest(db: Db, request: NewRequest, at: string): Promise<string> {
  const id = newId();
  const decided = request.status !== 'pending';
  await db
    .insertInto('requests')
    .values({
      id,
      lender_id: request.lenderId,
      loan_id: request.loanId,
      borrower_id: request.borrowerId,
      kind: request.kind,
      status: request.status,
      terms: JSON.stringify(request.terms),
      reason_category: request.reasonCategory,
      reason_text: request.reasonText,
      idempotency_key: request.idempotencyKey,
      created_at: at,
      decided_at: decided ? at : null,
      decided_by: decided ? request.decidedBy : null,
      decision_note: null,
      quote: request.quote ?? null,
    })
    .execute();
  return id;
}

export async function listRequestsOfLoan(db: Db, loanId: string) {
  return db.selectFrom('requests').selectAll().where('loan_id', '=', loanId).orderBy('created_at', 'desc').execute();
}

export async function findRequest(db: Db, id: string) {
  return db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRequestByIdempotencyKey(db: Db, key: string) {
  return db.selectFrom('requests').select(['id', 'loan_id']).where('idempotency_key', '=', key).executeTakeFirst();
}

export async function findPendingRequestOfLoan(db: Db, loanId: string) {
  return db
    .selectFrom('requests')
    .select('id')
    .where('loan_id', '=', loanId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

/** Moves a pending request to its decision; false when it was no longer pending (nothing changes). */
export async function decidePendingRequest(
  db: Db,
  id: string,
  decision: { status: 'approved' | 'rejected' | 'withdrawn'; at: string; by: string | null; note: string | null },
  borrowerIds?: readonly string[],
): Promise<boolean> {
  let query = db
    .updateTable('requests')
    .set({ status: decision.status, decided_at: decision.at, decided_by: decision.by, decision_note: decision.note })
    .where('id', '=', id)
    .where('status', '=', 'pending');
  if (borrowerIds) query = query.where('borrower_id', 'in', borrowerIds.length > 0 ? borrowerIds : ['']);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setRequestQuote(db: Db, id: string, quote: string): Promise<void> {
  await db.updateTable('requests').set({ quote }).where('id', '=', id).execute();
}

/** The review queue: requests with their loan and borrower, oldest first. */
export async function listRequestQueue(
  db: Db,
  filters: { status: string; kind?: string | undefined; lenderId: string | null },
  limit = 500,
) {
  let query = db
    .selectFrom('requests')
    .innerJoin('loans', 'loans.id', 'requests.loan_id')
    .innerJoin('borrowers', 'borrowers.id', 'requests.borrower_id')
    .select([
      'requests.id',
      'requests.kind',
      'requests.status',
      'requests.terms',
      'requests.lender_id',
      'requests.created_at',
      'requests.reason_category',
      'loans.external_id as loan_ref',
      'borrowers.name as borrower_name',
    ])
    .where('requests.status', '=', filters.status);
  if (filters.kind) query = query.where('requests.kind', '=', filters.kind);
  if (filters.lenderId) query = query.where('requests.lender_id', '=', filters.lenderId);
  return query.orderBy('requests.created_at').orderBy('requests.id').limit(limit).execute();
}
