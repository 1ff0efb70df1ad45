import type { Stage } from './eligibility.ts';
import type { ReminderPolicy } from './reminder-policy.ts';
import { type Variant, variantFor } from './template-variants.ts';
import { DEFAULT_TEMPLATES, type TemplateKey, type TemplateLocale } from './templates.ts';

/**
 * Which wording a loan's reminder uses. A stage (per language) sends its active saved version;
 * with none active, the lender's policy wording for it (`reminders.templates`, set with
 * `cli policy set`), else the built-in one. While the stage runs an experiment, `share` percent
 * of loans (by a stable hash, see template-variants.ts) get the experiment's version instead.
 */

export interface SavedWording {
  id: string;
  body: string;
}

/** One stage's saved setting: the active version and the experiment's, if any. */
export interface StageTemplates {
  active: SavedWording | null;
  variant: SavedWording | null;
  /** Percentage of loans sent the variant (1–99 while an experiment runs). */
  share: number;
}

export interface TemplateChoice {
  body: string;
  /** The saved version used; null: the policy's or the built-in wording. */
  versionId: string | null;
  /** 'A' or 'B' while the stage runs an experiment; null otherwise. */
  variant: Variant | null;
}

/** The wording a stage falls back on when no saved version is active. */
export function fallbackWording(policy: Pick<ReminderPolicy, 'templates'>, key: TemplateKey): string {
  return policy.templates[key] ?? DEFAULT_TEMPLATES[key];
}

export function chooseWording(
  saved: StageTemplates | undefined,
  policy: Pick<ReminderPolicy, 'templates'>,
  stage: Stage,
  locale: TemplateLocale,
  loanId: string,
): TemplateChoice {
  const a: TemplateChoice = saved?.active
    ? { body: saved.active.body, versionId: saved.active.id, variant: null }
    : { body: fallbackWording(policy, `${stage}.${locale}`), versionId: null, variant: null };
  if (!saved?.variant || saved.share <= 0) return a;
  return variantFor(loanId, stage, saved.share) === 'B'
    ? { body: saved.variant.body, versionId: saved.variant.id, variant: 'B' }
    : { ...a, variant: 'A' };
}
