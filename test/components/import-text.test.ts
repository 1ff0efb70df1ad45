import { describe, expect, it } from 'vitest';
import { problemText } from '../../src/components/import-text.ts';
import { REASON_CODES } from '../../src/core/eligibility.ts';
import { type MessageKey, translator } from '../../src/i18n/messages.ts';
import { IMPORT_COLUMNS, type ImportProblem, PROBLEM_CODES } from '../../src/services/import-format.ts';

// Every problem the import can report and every reason a loan is not reminded has its words in
// both languages: the pages look them up by code, which the type system cannot check.

const zh = translator('zh-CN');
const en = translator('en');
const params = {
  loan: 'L1',
  borrower: 'B1',
  first: 2,
  date: '2026-03-01',
  columns: 'phone',
  column: 'x',
  count: 3,
  expected: 9,
  max: 120,
};

describe('import page words', () => {
  it('says every problem in Chinese from its code, with its details filled in', () => {
    for (const code of PROBLEM_CODES) {
      for (const column of [...IMPORT_COLUMNS, null]) {
        const problem: ImportProblem = { line: 5, column, code, message: 'the API’s words', params };
        const text = problemText(problem, zh, 'zh-CN');
        expect(text, `${code} ${column}`).not.toMatch(/\{\w+\}|^import\./);
        // English is the service's (the API's) own message.
        expect(problemText(problem, en, 'en')).toBe('the API’s words');
      }
    }
    const restructured: ImportProblem = {
      line: 2,
      column: 'due_date',
      code: 'refused',
      message: 'x',
      params: { loan: 'L9', reason: 'restructured' },
    };
    expect(problemText(restructured, zh, 'zh-CN')).toContain('借款 L9 已按批准的展期或分期计划执行');
    expect(problemText({ line: 3, column: 'phone', code: 'invalid_phone', message: 'x' }, zh, 'zh-CN')).toBe(
      '不是有效的手机号（例如 138 1234 5678 或 +86 138 1234 5678）',
    );
  });

  it('names every reason a loan is not reminded now, and every column', () => {
    for (const reason of [...REASON_CODES, 'already_queued']) {
      for (const t of [zh, en]) expect(t(`import.reason.${reason}` as MessageKey)).toBeTruthy();
    }
    for (const column of IMPORT_COLUMNS) {
      for (const t of [zh, en]) expect(t(`import.col.${column}` as MessageKey)).toBeTruthy();
    }
  });
});
