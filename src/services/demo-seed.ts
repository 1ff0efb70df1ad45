import type { Kysely } from 'kysely';
import { addDays, localDate } from '../core/dates.ts';
import { newId, nowIso } from '../db/ids.ts';
import {
  findBorrower,
  insertBorrower,
  markPhoneUnreachable,
  replaceCurrentPhone,
  setBorrowerFlags,
} from '../db/repositories/borrowers.ts';
import { upsertLender } from '../db/repositories/lenders.ts';
import { insertLoan, insertRepayment, replaceInstalments } from '../db/repositories/loans.ts';
import { insertRequest } from '../db/repositories/requests.ts';
import type { Database } from '../db/schema.ts';
import { DEMO_BORROWERS, DEMO_LENDER, type DemoBorrower } from './demo-data.ts';

export interface SeedReport {
  lender: string;
  anchorDate: string;
  borrowersCreated: number;
  borrowersKept: number;
}

/**
 * Seeds the demo lender and its borrowers. Idempotent: the lender's profile is brought to the
 * definition (unchanged when equal) and borrowers that exist are left exactly as they are.
 */
export async function seedDemo(db: Kysely<Database>, now = new Date()): Promise<SeedReport> {
  return db.transaction().execute(async (trx) => {
    const at = nowIso(now);
    const lender = await upsertLender(trx, { id: newId(), ...DEMO_LENDER }, at);
    const anchorDate = localDate(now, lender.policy.timeZone);
    let created = 0;
    for (const demo of DEMO_BORROWERS) {
      if (await findBorrower(trx, lender.id, demo.externalId)) continue;
      await seedBorrower(trx, lender.id, demo, anchorDate, at);
      created++;
    }
    return {
      lender: lender.slug,
      anchorDate,
      borrowersCreated: created,
      borrowersKept: DEMO_BORROWERS.length - created,
    };
  });
}

async function seedBorrower(db: Kysely<Database>, lenderId: string, demo: DemoBorrower, anchor: string, at: string) {
  const borrower = await insertBorrower(
    db,
    { lenderId, externalId: demo.externalId, name: demo.name, locale: demo.locale },
    at,
  );
  if (demo.optedOut || demo.dispute) {
    await setBorrowerFlags(db, borrower.id, {
      optedOutAt: demo.optedOut ? at : null,
      disputedAt: demo.dispute ? at : null,
    });
  }
  const phone = await replaceCurrentPhone(
    db,
    borrower.id,
    { e164: demo.phone, source: 'lender', verifiedAt: demo.phoneVerified === false ? null : at },
    at,
  );
  if (demo.unreachable) await markPhoneUnreachable(db, phone.id, 3, at);
  for (const spec of demo.loans) {
    const loan = await insertLoan(
      db,
      {
        lenderId,
        borrowerId: borrower.id,
        externalId: spec.externalId,
        currency: 'CNY',
        policy: spec.policy ? JSON.stringify(spec.policy) : null,
      },
      at,
    );
    await replaceInstalments(
      db,
      loan.id,
      spec.instalments.map((i) => ({
        dueDate: addDays(anchor, i.dueInDays),
        principal: i.principal,
        interest: i.interest,
      })),
    );
    for (const [seq, repayment] of (spec.repayments ?? []).entries()) {
      const paidOn = addDays(anchor, repayment.paidInDays);
      await insertRepayment(
        db,
        {
          loanId: loan.id,
          seq,
          amount: repayment.amount,
          paidOn,
          idempotencyKey: `demo-${spec.externalId}-${seq}`,
          response: JSON.stringify({ loan: spec.externalId, amount: repayment.amount, paidOn, seeded: true }),
        },
        at,
      );
    }
    if (demo.request) {
      await insertRequest(
        db,
        {
          lenderId,
          loanId: loan.id,
          borrowerId: borrower.id,
          kind: demo.request.kind,
          status: demo.request.status,
          terms: demo.request.terms,
          reasonCategory: demo.request.reason,
          reasonText: null,
          idempotencyKey: null,
          decidedBy: 'demo',
        },
        // Asked two days before the seed, so the review queue shows an age.
        nowIso(new Date(Date.parse(at) - 2 * 86_400_000)),
      );
    }
  }
}
