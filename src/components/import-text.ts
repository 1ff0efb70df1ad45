import type { Locale } from '../i18n/locale.ts';
import type { MessageKey, Translate } from '../i18n/messages.ts';
import type { ImportColumn, ImportProblem } from '../services/import-format.ts';
import type { ImportView } from '../services/import-jobs.ts';

/** The import pages' words for what the service reports: problems and states. */

/** A problem in the reader's language: zh-CN from its code and details, English as the API words it. */
export function problemText(problem: ImportProblem, t: Translate, locale: Locale): string {
  if (locale === 'en') return problem.message;
  const params = problem.params ?? {};
  const key = problemKey(problem);
  return key ? t(key, params) : problem.message;
}

const COLUMN_PROBLEMS: Partial<Record<ImportColumn, MessageKey>> = {
  borrower_id: 'import.problem.id',
  loan_id: 'import.problem.id',
  name: 'import.problem.name',
  phone: 'import.problem.phone',
  locale: 'import.problem.locale',
  phone_verified: 'import.problem.phone_verified',
  currency: 'import.problem.currency',
  due_date: 'import.problem.due_date',
  principal: 'import.problem.amount',
  interest: 'import.problem.amount',
  grace_days: 'import.problem.grace_days',
  penalty_daily_rate: 'import.problem.rate',
  penalty_annual_cap: 'import.problem.rate',
  time_zone: 'import.problem.time_zone',
};

function problemKey(problem: ImportProblem): MessageKey | undefined {
  if (problem.code === 'invalid') return problem.column ? COLUMN_PROBLEMS[problem.column] : undefined;
  if (problem.code === 'refused') {
    const reason = problem.params?.reason;
    return reason === 'restructured' || reason === 'currency_locked' || reason === 'schedule_below_repaid'
      ? (`import.problem.${reason}` as MessageKey)
      : undefined;
  }
  return `import.problem.${problem.code}` as MessageKey;
}

export type StateLabel = 'previewed' | 'refused' | 'running' | 'interrupted' | 'done' | 'failed';

export function stateLabel(view: ImportView): StateLabel {
  if (view.state === 'previewed' && view.preview?.valid === false) return 'refused';
  return view.state;
}
