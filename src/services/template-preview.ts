import type { Kysely } from 'kysely';
import type { Stage } from '../core/eligibility.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { countSegments, type SegmentCount } from '../core/sms-segments.ts';
import { renderReminder, type TemplateLocale } from '../core/templates.ts';
import { findLenderBySlug } from '../db/repositories/lenders.ts';
import type { Database } from '../db/schema.ts';

/** A reminder as it would be sent, with a realistic link and code, and what it costs in SMS parts. */
export interface TemplatePreview extends SegmentCount {
  key: string;
  text: string;
  length: number;
}

const STAGES: Stage[] = ['gentle', 'firm', 'final'];
const LOCALES: TemplateLocale[] = ['zh-CN', 'en'];

export async function previewTemplates(
  db: Kysely<Database>,
  lenderSlug: string,
  stage?: string,
  locale?: string,
): Promise<TemplatePreview[]> {
  const lender = await findLenderBySlug(db, lenderSlug);
  if (!lender) throw new NotFoundError('lender', `no lender with slug "${lenderSlug}"`);
  if (stage !== undefined && !STAGES.includes(stage as Stage))
    throw new ValidationError('stage', 'stage: must be gentle, firm or final');
  if (locale !== undefined && !LOCALES.includes(locale as TemplateLocale))
    throw new ValidationError('locale', 'locale: must be zh-CN or en');
  const previews: TemplatePreview[] = [];
  for (const s of stage ? [stage as Stage] : STAGES) {
    for (const l of locale ? [locale as TemplateLocale] : LOCALES) {
      const days = s === 'gentle' ? 5 : s === 'firm' ? 15 : 45;
      const rendered = renderReminder(
        lender,
        {
          stage: s,
          locale: l,
          currency: 'CNY',
          amountDue: 307_500 + days * 150,
          penalty: days * 150,
          dueDate: '2026-11-09',
          daysOverdue: days,
          // A real link has a 24-character token; the preview uses one of the same length.
          link: `https://${lender.shortLinkDomain}/r/${'x'.repeat(24)}`,
          code: 'K7QX-92M8',
        },
        lender.reminders.templates,
      );
      previews.push({
        key: rendered.key,
        text: rendered.text,
        length: [...rendered.text].length,
        ...countSegments(rendered.text),
      });
    }
  }
  return previews;
}
