import { checkText } from './checker/check.ts';
import type { ReportedIndex } from './checker/reported.ts';
import type { Indicator, OfficialContacts, Risk } from './checker/types.ts';
import type { LenderProfile } from './lender.ts';
import { countSegments, type SegmentCount } from './sms-segments.ts';
import {
  describeStructureProblem,
  type ReminderFacts,
  renderTemplate,
  type TemplateStructureProblem,
  templateStructureProblems,
} from './templates.ts';

/**
 * The review a reminder wording must pass before it can be saved: everything wrong with it as
 * written (templateStructureProblems), then the text as a borrower would receive it — rendered
 * with a real loan's facts — run through the same checker the public verification uses, with the
 * lender's official contacts: a genuine reminder carries no scam sign at all, so any sign found
 * refuses the wording. Too long a text is refused; one costing more than three SMS parts is let
 * through with a warning (it is the lender's money, but rarely what they meant).
 */

/** Rendered characters (code points) beyond which a wording is refused: eight UCS-2 parts. */
export const MAX_RENDERED_LENGTH = 500;
/** SMS parts above which the preview warns. */
export const SEGMENT_WARNING = 3;
/** Characters of wording a staff member may type (the rendered text is limited separately). */
export const MAX_TEMPLATE_LENGTH = 1_000;

export type TemplateProblem =
  | TemplateStructureProblem
  | { code: 'empty' }
  | { code: 'template_too_long'; length: number; max: number }
  | { code: 'scam_sign'; indicator: Indicator }
  | { code: 'too_long'; length: number; max: number };

export type TemplateWarning = { code: 'many_segments'; segments: number };

export interface TemplateReviewInput {
  body: string;
  lender: Pick<LenderProfile, 'slug' | 'smsSignature' | 'hotlines' | 'repaymentChannels'>;
  /** The loan the text is rendered for (a real borrower's, in the console). */
  facts: ReminderFacts;
  /** Every lender's official contacts, as the public check has them. */
  officials: readonly OfficialContacts[];
  /** Domains and numbers confirmed in scam reports. */
  reported?: ReportedIndex;
}

export interface TemplateReview {
  problems: TemplateProblem[];
  warnings: TemplateWarning[];
  /** The text as the borrower would receive it. */
  text: string;
  /** In characters (code points), as a person counts them. */
  length: number;
  segments: SegmentCount;
  risk: Risk;
  indicators: Indicator[];
}

export function reviewTemplate(input: TemplateReviewInput): TemplateReview {
  const { body } = input;
  const problems: TemplateProblem[] = [];
  if (body.trim() === '') problems.push({ code: 'empty' });
  if ([...body].length > MAX_TEMPLATE_LENGTH)
    problems.push({ code: 'template_too_long', length: [...body].length, max: MAX_TEMPLATE_LENGTH });
  problems.push(...templateStructureProblems(body));

  const { text } = renderTemplate(body, input.lender, input.facts);
  const result = checkText(text, input.officials, {
    lender: input.lender.slug,
    ...(input.reported ? { reported: input.reported } : {}),
  });
  for (const indicator of result.indicators) problems.push({ code: 'scam_sign', indicator });

  const length = [...text].length;
  if (length > MAX_RENDERED_LENGTH) problems.push({ code: 'too_long', length, max: MAX_RENDERED_LENGTH });
  const segments = countSegments(text);
  const warnings: TemplateWarning[] =
    segments.segments > SEGMENT_WARNING ? [{ code: 'many_segments', segments: segments.segments }] : [];
  return { problems, warnings, text, length, segments, risk: result.risk, indicators: result.indicators };
}

/** A problem in plain English, for error messages, the CLI and the audit log. */
export function describeTemplateProblem(problem: TemplateProblem): string {
  switch (problem.code) {
    case 'empty':
      return 'must not be empty';
    case 'template_too_long':
      return `is ${problem.length} characters long: at most ${problem.max}`;
    case 'scam_sign':
      return `the text as sent carries a scam sign, ${problem.indicator.id} ("${problem.indicator.evidence}"): ${problem.indicator.explanation.en}`;
    case 'too_long':
      return `the text as sent is ${problem.length} characters long: at most ${problem.max}`;
    default:
      return describeStructureProblem(problem);
  }
}

/** A short, stable name of each problem (for the audit log: never the personal data itself). */
export function problemCode(problem: TemplateProblem): string {
  if (problem.code === 'scam_sign') return `scam_sign:${problem.indicator.id}`;
  if (problem.code === 'missing_placeholder') return `missing:${problem.placeholder}`;
  if (problem.code === 'personal_data') return `personal_data:${problem.kind}`;
  return problem.code;
}
