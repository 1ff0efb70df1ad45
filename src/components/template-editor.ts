import type { AstroGlobal } from 'astro';
import type { Stage } from '../core/eligibility.ts';
import { DomainError } from '../core/errors.ts';
import type { TemplateProblem } from '../core/template-review.ts';
import { TEMPLATE_LOCALES, TEMPLATE_STAGES, type TemplateLocale } from '../core/templates.ts';
import { type DiffPart, diffText } from '../core/text-diff.ts';
import { hasControlCharacters } from '../core/validation.ts';
import type { Locale } from '../i18n/locale.ts';
import { type MessageKey, type Translate, translator } from '../i18n/messages.ts';
import { clientIp } from '../server/api.ts';
import { database } from '../server/context.ts';
import {
  activateTemplateVersion,
  previewTemplate,
  type StageDetail,
  saveTemplateVersion,
  stageDetail,
  startTemplateExperiment,
  stopTemplateExperiment,
  type TemplatePreview,
  TemplateRefusedError,
} from '../services/template-versions.ts';

/**
 * The template editor as /staff/lenders/<slug>/templates/<stage>/<locale> runs it: GET shows the
 * wording in use previewed on a real overdue loan; POST either previews what was typed (the
 * "preview" button, and the live preview's requests), or saves it as a version, activates a
 * version, starts or stops an experiment — each change answered 303 back to the page, each
 * refusal re-rendering the page with every problem (400, or 409 when the stage changed under it).
 */

export type EditorField = 'body' | 'loan' | 'versions' | 'experiment-version' | 'experiment-share' | 'keep-a';

export interface TemplateEditorState {
  stage: Stage;
  locale: TemplateLocale;
  base: string;
  detail: StageDetail;
  body: string;
  preview: TemplatePreview;
  /** Each problem of the previewed text, in the reader's words. */
  problems: string[];
  summary: Array<{ field: EditorField; message: string }>;
  bodyErrors: string[];
  fieldErrors: Partial<Record<EditorField, string>>;
  notice: string | null;
  /** Each saved version compared with the wording in use. */
  diffs: Map<string, DiffPart[]>;
  form: { experimentVersion: string; share: string; keep: string };
}

const MAX_FIELD = 5_000;
const ACTIONS = ['preview', 'save', 'activate', 'start', 'stop'] as const;
type Action = (typeof ACTIONS)[number];

export async function runTemplateEditor(Astro: AstroGlobal): Promise<TemplateEditorState | Response> {
  const lender = Astro.locals.consoleLender;
  const staff = Astro.locals.staff;
  const stage = TEMPLATE_STAGES.find((s) => s === Astro.params.stage);
  const locale = TEMPLATE_LOCALES.find((l) => l === Astro.params.locale);
  if (!lender || !staff || !stage || !locale) return Astro.rewrite('/404');
  const t = translator(Astro.locals.locale);
  const db = await database();
  const now = new Date();
  const base = `/staff/lenders/${lender.slug}/templates/${stage}/${locale}`;
  const ctx = { staff, ip: clientIp(Astro), now };

  let detail = await stageDetail(db, lender, { stage, locale });
  let body = detail.activeBody;
  let loan = (Astro.url.searchParams.get('loan') ?? '').slice(0, 64);
  const form = { experimentVersion: '', share: '50', keep: 'A' };
  const summary: TemplateEditorState['summary'] = [];
  const fieldErrors: TemplateEditorState['fieldErrors'] = {};
  let bodyErrors: string[] = [];
  let preview: TemplatePreview | null = null;

  if (Astro.request.method === 'POST') {
    const data = await Astro.request.formData().catch(() => new FormData());
    const value = (name: string) => {
      const v = data.get(name);
      return typeof v === 'string' ? v.slice(0, MAX_FIELD) : '';
    };
    const action: Action = ACTIONS.find((a) => a === value('action')) ?? 'preview';
    body = data.has('body') ? value('body').replace(/\r\n/g, '\n') : body;
    loan = value('loan');
    form.experimentVersion = value('version');
    form.share = value('share') || form.share;
    form.keep = value('keep') || form.keep;
    const act = async (a: Action): Promise<string | null> => {
      const target = { stage, locale };
      switch (a) {
        case 'preview':
          preview = await previewTemplate(db, lender, { ...target, body, loan }, now);
          return null;
        case 'save': {
          const saved = await saveTemplateVersion(db, lender, { ...target, body, loan }, ctx);
          return `${base}?done=saved&v=${saved.version}`;
        }
        case 'activate':
          await activateTemplateVersion(db, lender, { ...target, version: value('version') }, ctx);
          return `${base}?done=activated`;
        case 'start':
          await startTemplateExperiment(
            db,
            lender,
            { ...target, version: value('version'), share: value('share') },
            ctx,
          );
          return `${base}?done=started`;
        case 'stop':
          await stopTemplateExperiment(db, lender, { ...target, keep: value('keep') }, ctx);
          return `${base}?done=stopped`;
      }
    };
    try {
      const done = await act(action);
      if (done) return Astro.redirect(done, 303);
    } catch (failure) {
      if (!(failure instanceof DomainError)) throw failure;
      Astro.response.status = failure.status;
      if (failure instanceof TemplateRefusedError && action === 'save') {
        bodyErrors = failure.review.problems.map((p) => problemMessage(t, Astro.locals.locale, p));
        for (const message of bodyErrors) summary.push({ field: 'body', message });
      } else if (failure instanceof TemplateRefusedError) {
        const field: EditorField = action === 'start' ? 'experiment-version' : 'versions';
        const reasons = failure.review.problems.map((p) => problemMessage(t, Astro.locals.locale, p));
        const en = Astro.locals.locale === 'en';
        const message = `${t('templates.error.refusedVersion')}${en ? ' ' : ''}${reasons.join(en ? '; ' : '；')}`;
        fieldErrors[field] = message;
        summary.push({ field, message });
      } else {
        const { field, message } = errorFor(t, failure, action);
        if (field === 'body') bodyErrors = [message];
        else fieldErrors[field] = message;
        summary.push({ field, message });
      }
      detail = await stageDetail(db, lender, { stage, locale });
    }
  }

  // Whatever happened, the preview of the text in the box (a body too long to preview, or refused
  // for control characters: the text in use; a loan refused so: the first loan).
  if (!preview) {
    const bounded = [...body].length <= 1_000 && !hasControlCharacters(body) ? body : detail.activeBody;
    const forLoan = hasControlCharacters(loan) ? {} : { loan };
    preview = await previewTemplate(db, lender, { stage, locale, body: bounded, ...forLoan }, now);
  }
  const problems = preview.review.problems.map((p) => problemMessage(t, Astro.locals.locale, p));
  const diffs = new Map(detail.versions.map((v) => [v.id, diffText(detail.activeBody, v.body)]));
  return {
    stage,
    locale,
    base,
    detail,
    body,
    preview,
    problems,
    summary,
    bodyErrors,
    fieldErrors,
    notice: Astro.request.method === 'GET' ? noticeFor(t, Astro.url.searchParams) : null,
    diffs,
    form,
  };
}

function noticeFor(t: Translate, params: URLSearchParams): string | null {
  const done = params.get('done');
  if (done === 'saved') return t('templates.done.saved', { n: Number(params.get('v')) || 0 });
  if (done === 'activated') return t('templates.done.activated');
  if (done === 'started') return t('templates.done.started');
  if (done === 'stopped') return t('templates.done.stopped');
  return null;
}

function errorFor(t: Translate, failure: DomainError, action: Action): { field: EditorField; message: string } {
  switch (failure.field) {
    case 'share':
      return { field: 'experiment-share', message: t('templates.error.share') };
    case 'keep':
      return {
        field: 'keep-a',
        message: t(failure.code === 'no_experiment' ? 'templates.error.noExperiment' : 'templates.error.keep'),
      };
    case 'version': {
      const field: EditorField = action === 'start' ? 'experiment-version' : 'versions';
      const key: MessageKey =
        failure.code === 'experiment_running'
          ? 'templates.error.experimentRunning'
          : failure.code === 'changed_meanwhile'
            ? 'templates.error.changed'
            : failure.code === 'same_as_active'
              ? 'templates.error.sameAsActive'
              : 'templates.error.version';
      return { field, message: t(key) };
    }
    default:
      return { field: 'body', message: t('templates.error.body') };
  }
}

/** A problem of the review in the reader's language. */
export function problemMessage(t: Translate, locale: Locale, problem: TemplateProblem): string {
  switch (problem.code) {
    case 'empty':
      return t('templates.problem.empty');
    case 'template_too_long':
    case 'too_long':
      return t(`templates.problem.${problem.code}`, { length: problem.length, max: problem.max });
    case 'missing_placeholder':
      return t('templates.problem.missing_placeholder', {
        what: t(`templates.what.${problem.placeholder}` as MessageKey),
        p: `{${problem.placeholder}}`,
      });
    case 'unknown_placeholder':
      return t('templates.problem.unknown_placeholder', { p: `{${problem.placeholder}}` });
    case 'stray_brace':
      return t('templates.problem.stray_brace', { p: '{amount}' });
    case 'own_link':
      return t('templates.problem.own_link', { evidence: problem.evidence, p: '{link}' });
    case 'personal_data':
      return t(`templates.problem.${problem.kind}`, { evidence: problem.evidence });
    case 'scam_sign':
      return t('templates.problem.scam_sign', {
        evidence: problem.indicator.evidence,
        explanation: problem.indicator.explanation[locale],
      });
  }
}
