import { expect, it } from 'vitest';
import { parseRecipients, suggestRecipient } from '../../src/core/phone-recipients.ts';

it('ticks by default only a lender with an open loan the person has not disputed, and says why not', () => {
  const open = { loans: 1, openLoans: 1, daysOverdue: 12, disputed: false };
  expect(suggestRecipient(open)).toEqual({ share: true, reason: null });
  expect(suggestRecipient({ ...open, daysOverdue: 0 })).toEqual({ share: true, reason: null });
  expect(suggestRecipient({ ...open, openLoans: 0, daysOverdue: 0 })).toEqual({ share: false, reason: 'no_open_loan' });
  expect(suggestRecipient({ loans: 0, openLoans: 0, daysOverdue: 0, disputed: false })).toEqual({
    share: false,
    reason: 'no_open_loan',
  });
  expect(suggestRecipient({ ...open, disputed: true })).toEqual({ share: false, reason: 'disputed' });
  // nothing owed is the plainer reason, whatever else is true
  expect(suggestRecipient({ loans: 2, openLoans: 0, daysOverdue: 0, disputed: true }).reason).toBe('no_open_loan');
});

it('takes only lenders that hold the number, at least one, in the screen’s order, and refuses anything else', () => {
  const holders = ['qinghe', 'anxin', 'yuan'];
  expect(parseRecipients(['yuan', 'qinghe', 'yuan'], holders)).toEqual({ ok: true, lenders: ['qinghe', 'yuan'] });
  expect(parseRecipients([], holders)).toEqual({ ok: false, problem: 'none' });
  expect(parseRecipients(['qinghe', 'other'], holders)).toEqual({ ok: false, problem: 'unknown' });
  expect(parseRecipients([''], holders)).toEqual({ ok: false, problem: 'unknown' });
  expect(parseRecipients(['x'.repeat(65)], holders)).toEqual({ ok: false, problem: 'unknown' });
  // a form post can carry a file where a box's value belongs
  expect(parseRecipients([new Blob(['qinghe'])], holders)).toEqual({ ok: false, problem: 'unknown' });
  expect(parseRecipients(['qinghe'], [])).toEqual({ ok: false, problem: 'unknown' });
});
