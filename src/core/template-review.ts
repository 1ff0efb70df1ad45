import { checkText } from './checker/check.ts';
import { extract } from './checker/extract.ts';
import { normalize } from './checker/normalize.ts';
import type { ReportedIndex } from './checker/reported.ts';
import type { Indicator, OfficialContacts, Risk } from './checker/types.ts';
import type { LenderProfile } from './lender.ts';
import { countSegments, type SegmentCount } from './sms-segments.ts';
import {
  PLACEHOLDERS,
  REQUIRED_PLACEHOLDERS,
  type ReminderFacts,
  type RequiredPlaceholder,
  renderTemplate,
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

// The checks of a wording as written live here, not in templates.ts: they use the checker's
// extraction, which the reminder cycle (a templates.ts importer) has no need to load.
const KNOWN = new Set<string>(PLACEHOLDERS);

/**
 * What is wrong with a wording as written, before any loan fills it in: a required placeholder
 * left out, one that does not exist, a brace that opens no placeholder, a link of its own (the
 * message's own short link is the only one a reminder may carry), or personal data typed into it
 * (an ID card number, a whole bank card or account number: never in an SMS).
 */
export type TemplateStructureProblem =
  | { code: 'missing_placeholder'; placeholder: RequiredPlaceholder }
  | { code: 'unknown_placeholder'; placeholder: string }
  | { code: 'stray_brace' }
  | { code: 'own_link'; evidence: string }
  | { code: 'personal_data'; kind: 'id_number' | 'account_number'; evidence: string };

export function templateStructureProblems(template: string): TemplateStructureProblem[] {
  const problems: TemplateStructureProblem[] = [];
  for (const name of REQUIRED_PLACEHOLDERS) {
    if (!template.includes(`{${name}}`)) problems.push({ code: 'missing_placeholder', placeholder: name });
  }
  const unknown = new Set<string>();
  for (const match of template.matchAll(/\{([^{}]{0,40})\}/g)) {
    const name = match[1] ?? '';
    if (!KNOWN.has(name)) unknown.add(name);
  }
  for (const name of unknown) problems.push({ code: 'unknown_placeholder', placeholder: name });
  if (/[{}]/.test(template.replace(/\{[^{}]{0,40}\}/g, ''))) problems.push({ code: 'stray_brace' });
  const literal = literalText(template);
  const link = ownLink(literal);
  if (link !== null) problems.push({ code: 'own_link', evidence: link });
  problems.push(...personalData(literal));
  return problems;
}

/** The words the lender typed, each placeholder replaced by a line break so nothing joins across it. */
export function literalText(template: string): string {
  return template.replace(/\{[^{}]{0,40}\}/g, '\n');
}

function ownLink(literal: string): string | null {
  const scheme = /https?:\/\/\S*|www\.\S*/i.exec(literal);
  if (scheme) return scheme[0].slice(0, 60);
  // Bare domains too ("qinghe-xf.cn/pay", glued to Chinese text), found as the checker finds them.
  const url = extract(normalize(literal)).extraction.urls[0];
  return url ? url.raw.slice(0, 60) : null;
}

// An 18-character resident ID: 6-digit region, birth date 18xx–20xx, 3-digit sequence, check digit or X.
const ID_NUMBER =
  /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
// A bank card or account number: 12–19 digits, possibly written in groups with spaces or hyphens.
const ACCOUNT_NUMBER = /(?<![\d])\d(?:[ -]?\d){11,18}(?![ -]?\d)/g;

function personalData(literal: string): TemplateStructureProblem[] {
  // Full-width digits are digits to a reader: NFKC makes them ASCII.
  const text = literal.normalize('NFKC');
  const problems: TemplateStructureProblem[] = [];
  const ids = [...text.matchAll(ID_NUMBER)];
  for (const match of ids) problems.push({ code: 'personal_data', kind: 'id_number', evidence: maskDigits(match[0]) });
  const rest = ids.reduce((t, m) => t.replace(m[0], ' '), text);
  for (const match of rest.matchAll(ACCOUNT_NUMBER)) {
    problems.push({ code: 'personal_data', kind: 'account_number', evidence: maskDigits(match[0]) });
  }
  return problems;
}

/** The first and last four characters, the rest starred: enough to find it, not enough to use it. */
function maskDigits(value: string): string {
  const compact = value.replace(/[ -]/g, '');
  return `${compact.slice(0, 4)}${'*'.repeat(Math.max(compact.length - 8, 0))}${compact.slice(-4)}`;
}

/** The problems of a structure check in plain English (the CLI, the policy validation and the audit log). */
export function describeStructureProblem(problem: TemplateStructureProblem): string {
  switch (problem.code) {
    case 'missing_placeholder':
      return `must contain {${problem.placeholder}}`;
    case 'unknown_placeholder':
      return `{${problem.placeholder}} is not a known placeholder`;
    case 'stray_brace':
      return 'has a { or } that is not part of a placeholder';
    case 'own_link':
      return 'must not contain a link of its own: use {link}';
    case 'personal_data':
      return problem.kind === 'id_number'
        ? `must not contain an ID card number (${problem.evidence})`
        : `must not contain a bank card or account number (${problem.evidence})`;
  }
}

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
