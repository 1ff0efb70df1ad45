import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lenderWithKey } from '../support/factories.ts';
import { type SecuritySite, send, startSecuritySite } from './site.ts';

// OWASP ASVS 5.0, V8 Authorization, over HTTP against the built server: a borrower reaches only
// their own loans, a lender's API key only its own lender's data.

let site: SecuritySite;
let otherKey = '';

beforeAll(async () => {
  site = await startSecuritySite('sqlite');
  ({ key: otherKey } = await lenderWithKey(site.database.connection.db, 'other'));
});
afterAll(async () => {
  await site?.stop();
});

const get = (path: string, headers: Record<string, string>) => send(site.url, { method: 'GET', path, headers });

describe('V8 Authorization', () => {
  it("V8.2.2 data-specific access (no IDOR): a borrower opens only their own loans, anyone else's is 'not found'", async () => {
    const { db } = site.database.connection;
    const loans = await db
      .selectFrom('loans')
      .innerJoin('phone_numbers', (join) =>
        join.onRef('phone_numbers.borrower_id', '=', 'loans.borrower_id').on('phone_numbers.is_current', '=', 1),
      )
      .select(['loans.id', 'loans.external_id', 'phone_numbers.e164'])
      .execute();
    const own = loans.filter((l) => l.e164 === site.borrowerPhone);
    const others = loans.filter((l) => l.e164 !== site.borrowerPhone);
    expect(own.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(3);
    const cookie = site.borrowerCookie;
    for (const loan of own) {
      expect((await get(`/account/loans/${loan.id}`, { cookie })).status, loan.external_id).toBe(200);
    }
    for (const loan of others) {
      for (const path of [`/account/loans/${loan.id}`, `/account/loans/${loan.id}/relief`]) {
        const answer = await get(path, { cookie });
        expect(answer.status, path).toBe(404);
        expect(answer.body.toString()).not.toContain(loan.external_id);
      }
    }
    // The overview lists exactly the person's loans.
    const overview = (await get('/account', { cookie })).body.toString();
    for (const loan of others) expect(overview).not.toContain(`/account/loans/${loan.id}`);
    for (const loan of own) expect(overview).toContain(`/account/loans/${loan.id}`);
  });

  it("V8.4.1 cross-tenant control: a lender's API key sees and changes only its own lender's data", async () => {
    const { db } = site.database.connection;
    const demoLoan = await db.selectFrom('loans').select(['external_id', 'borrower_id']).executeTakeFirstOrThrow();
    const demoBorrower = await db
      .selectFrom('borrowers')
      .select(['external_id', 'name'])
      .where('id', '=', demoLoan.borrower_id)
      .executeTakeFirstOrThrow();
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    const reads = [
      `/api/v1/loans/${demoLoan.external_id}/balance`,
      `/api/v1/loans/${demoLoan.external_id}`,
      `/api/v1/borrowers/${demoBorrower.external_id}`,
    ];
    for (const path of reads) {
      const mine = await get(path, as(site.apiKey));
      const theirs = await get(path, as(otherKey));
      if (mine.status === 200) expect(theirs.status, path).toBe(404);
      else expect(mine.status, path).toBe(405); // no GET on that path: neither key reads it
      expect(theirs.body.toString(), path).not.toContain(demoBorrower.name);
    }
    // Writing the same external ids with the other key touches only the other lender's records.
    const before = await db.selectFrom('loans').selectAll().where('external_id', '=', demoLoan.external_id).execute();
    const put = await send(site.url, {
      method: 'PUT',
      path: `/api/v1/borrowers/${demoBorrower.external_id}`,
      headers: { ...as(otherKey), 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ name: '别人', phone: '13900139000' })),
    });
    expect(put.status).toBe(201); // new in the other lender's books
    const pay = await send(site.url, {
      method: 'POST',
      path: `/api/v1/loans/${demoLoan.external_id}/repayments`,
      headers: { ...as(otherKey), 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ amount: 100, paidOn: '2026-11-24', idempotencyKey: 'cross-tenant' })),
    });
    expect(pay.status).toBe(404);
    const after = await db.selectFrom('loans').selectAll().where('external_id', '=', demoLoan.external_id).execute();
    expect(after).toEqual(before);
    const demoRecord = await db
      .selectFrom('borrowers')
      .innerJoin('lenders', 'lenders.id', 'borrowers.lender_id')
      .select('borrowers.name')
      .where('lenders.slug', '=', 'demo')
      .where('borrowers.external_id', '=', demoBorrower.external_id)
      .executeTakeFirstOrThrow();
    expect(demoRecord.name).not.toBe('别人');
    // Lists and reports hold nothing of the demo lender for the other key.
    const requests = JSON.parse((await get('/api/v1/requests', as(otherKey))).body.toString()) as
      | unknown[]
      | { requests?: unknown[] };
    expect(Array.isArray(requests) ? requests : (requests.requests ?? [])).toEqual([]);
    const report = await get('/api/v1/reports/effect?from=2026-01-01&to=2026-12-31', as(otherKey));
    expect(report.status).toBe(200);
    expect((JSON.parse(report.body.toString()) as { rows: unknown[] }).rows).toEqual([]);
    // A key that is not one (the demo key altered) reads nothing.
    expect((await get('/api/v1/loans/x/balance', as(`${site.apiKey}x`))).status).toBe(401);
  });

  // V8.4.1 for a borrower's new number (it reaches only the lenders the borrower chose) is proved
  // in test/services/phone-recipients.test.ts, beside the rules it tests.
});
