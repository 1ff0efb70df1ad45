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
  terms: Record<string, unknown>;
  reasonCategory: string | null;
  reasonText: string | null;
  idempotencyKey: string | null;
  decidedBy: string | null;
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
    })
    .execute();
  return id;
}
