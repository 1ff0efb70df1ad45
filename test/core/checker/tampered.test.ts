import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import { alteredCopySign, findDifferences, MONEY_FIELDS } from '../../../src/core/checker/forged.ts';
import { riskOf } from '../../../src/core/checker/risk.ts';
import { textFingerprint } from '../../../src/core/message-text.ts';
import { tamperedCopies } from './corpus-tampered.ts';
import { LENDERS } from './fixtures.ts';

// The tampered side of the confusion table: every genuine text with one field changed. None may
// pass for the message we sent, and each must be reported with exactly the field changed.

const SAMPLES = tamperedCopies();

describe('tampered copies of the genuine texts', () => {
  it('cover every kind of forgery, in both languages', () => {
    const kinds = new Set(SAMPLES.map((s) => s.field));
    expect([...kinds].sort()).toEqual(['account', 'amount', 'date', 'link', 'phone', 'signature']);
    expect(SAMPLES.filter((s) => s.label.includes('.en')).length).toBeGreaterThanOrEqual(40);
    expect(SAMPLES.length).toBeGreaterThanOrEqual(300);
  });

  it('are never the message sent, and each is reported with exactly the field changed', () => {
    const wrong: string[] = [];
    for (const sample of SAMPLES) {
      expect(textFingerprint(sample.received), sample.label).not.toBe(textFingerprint(sample.sent));
      const differences = findDifferences(sample.sent, sample.received).map(({ field, sent, received }) => ({
        field,
        sent,
        received,
      }));
      const [only] = differences;
      const right =
        differences.length === 1 &&
        only?.field === sample.field &&
        only.sent.replace(/\.$/, '') === sample.sentValue &&
        only.received.replace(/\.$/, '') === sample.receivedValue;
      if (!right) wrong.push(`${sample.label}: ${JSON.stringify(differences)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('are high risk when money details changed, and at least medium otherwise', () => {
    const counts = { high: 0, medium: 0, low: 0, none: 0 };
    for (const sample of SAMPLES) {
      const sign = alteredCopySign(findDifferences(sample.sent, sample.received), [{ start: 0, end: 1 }]);
      const risk = riskOf([...(sign ? [sign] : []), ...checkText(sample.received, LENDERS).indicators]);
      counts[risk]++;
      if (MONEY_FIELDS.has(sample.field)) expect(risk, sample.label).toBe('high');
      else expect(['medium', 'high'], sample.label).toContain(risk);
    }
    expect(counts.none + counts.low).toBe(0);
  });
});
