import type { Kysely } from 'kysely';
import type { Stage } from '../core/eligibility.ts';
import type { LenderProfile } from '../core/lender.ts';
import { chooseWording, type TemplateChoice } from '../core/template-choice.ts';
import type { TemplateLocale } from '../core/templates.ts';
import type { Db } from '../db/repositories/lenders.ts';
import { loadStageTemplates } from '../db/repositories/template-versions.ts';
import type { Database } from '../db/schema.ts';

/**
 * The wording each reminder uses: the lender's saved stage settings are read once (one query)
 * and every loan's choice is then a hash and a map lookup, so a cycle of 2,000 loans a page pays
 * one query a page for versions and experiments.
 */
export interface TemplateChooser {
  choose(stage: Stage, locale: TemplateLocale, loanId: string): TemplateChoice;
}

export async function loadTemplateChooser(db: Db, lender: LenderProfile): Promise<TemplateChooser> {
  const saved = await loadStageTemplates(db, lender.id);
  return {
    choose: (stage, locale, loanId) =>
      chooseWording(saved.get(`${stage}.${locale}`), lender.reminders, stage, locale, loanId),
  };
}

/** The wording one loan's reminder at this stage uses now, its version and its experiment variant. */
export async function chooseTemplate(
  db: Kysely<Database>,
  lender: LenderProfile,
  stage: Stage,
  locale: TemplateLocale,
  loanId: string,
): Promise<TemplateChoice> {
  return (await loadTemplateChooser(db, lender)).choose(stage, locale, loanId);
}
