import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { instantAt } from '../../src/core/dates.ts';
import { ConflictError, ValidationError } from '../../src/core/errors.ts';
import type { LenderProfile } from '../../src/core/lender.ts';
import { variantFor } from '../../src/core/template-variants.ts';
import { DEFAULT_TEMPLATES, TEMPLATE_LOCALES, TEMPLATE_STAGES } from '../../src/core/templates.ts';
import { findLenderBySlug, upsertLender } from '../../src/db/repositories/lenders.ts';
import type { Database } from '../../src/db/schema.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { updateLenderPolicy } from '../../src/services/lender-policy.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import type { StaffMember } from '../../src/services/staff-workbench.ts';
import {
  activateTemplateVersion,
  chooseTemplate,
  previewLoans,
  previewTemplate,
  saveTemplateVersion,
  stageDetail,
  startTemplateExperiment,
  stopTemplateExperiment,
  TemplateRefusedError,
  templateOverview,
} from '../../src/services/template-versions.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { staffAccount } from '../support/staff-client.ts';

// Versions numbered per stage and language, activation, experiments split by a stable hash,
// and the reminder cycle recording the version and variant of every text it queues.

const SEEDED_AT = new Date('2026-11-24T01:00:00Z');
const DAY_1 = '2026-11-24';
const NOW = instantAt(DAY_1, '10:00', 'Asia/Shanghai');

const firmB =
  '{signature}您好，您的借款已逾期{days}天，应还{amount}（含罚息{penalty}），原还款日{dueDate}。请通过{channel}还款，有困难可申请延期。核实：{link} 查询码{code}。客服{hotline}';
/** A version B of each stage: the built-in wording with a word of its own, so texts tell which they used. */
const variantOf = (key: keyof typeof DEFAULT_TEMPLATES) =>
  key.endsWith('.en')
    ? DEFAULT_TEMPLATES[key].replace('{signature}', '{signature}Hello. ')
    : DEFAULT_TEMPLATES[key].replace('{signature}', '{signature}您好，');

async function staffMember(db: Kysely<Database>, email: string): Promise<StaffMember> {
  const row = await db
    .selectFrom('staff_users')
    .select(['id', 'email', 'lender_id', 'role'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return { id: row.id, email: row.email, lenderId: row.lender_id, role: row.role };
}

const refusal = async (work: Promise<unknown>) => {
  const failure = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(failure).toBeInstanceOf(TemplateRefusedError);
  return failure as TemplateRefusedError;
};

describeEachDialect('template versions and experiments', (get) => {
  let db: Kysely<Database>;
  let lender: LenderProfile;
  let staff: StaffMember;
  const ctx = () => ({ staff, ip: '203.0.113.9', now: NOW });

  it('sets up the demo lender and its admin', async () => {
    db = get().connection.db;
    await seedDemo(db, SEEDED_AT);
    lender = (await findLenderBySlug(db, 'demo')) as LenderProfile;
    await staffAccount(db, 'admin@qinghe-xf.cn', 'lender_admin', 'demo');
    staff = await staffMember(db, 'admin@qinghe-xf.cn');
    expect(lender.slug).toBe('demo');
  });

  it('previews on the lender’s real overdue loans, the stage’s own first, the phone masked', async () => {
    const loans = await previewLoans(db, lender, 'firm', NOW);
    expect(loans.length).toBeGreaterThan(2);
    expect(loans[0]?.stage).toBe('firm');
    for (const loan of loans) {
      expect(loan.daysOverdue).toBeGreaterThan(0);
      // 138****5678 (a Hong Kong number: +852****5678): never the whole number
      expect(loan.maskedPhone).toMatch(/^(?:\d{3}\*{4}\d{4}|\+\d{3}\*+\d{4})$/);
      expect(loan.facts.link).toMatch(/^https:\/\/qhxf\.cn\/r\/[A-Za-z0-9]{24}$/);
    }
    const preview = await previewTemplate(db, lender, { stage: 'firm', locale: 'zh-CN', body: firmB }, NOW);
    expect(preview.loan?.id).toBe(loans[0]?.id);
    expect(preview.review.problems).toEqual([]);
    expect(preview.review.text).toContain(`逾期${preview.loan?.daysOverdue}天`);
    // another of the candidates, chosen by staff
    const other = loans[1];
    const chosen = await previewTemplate(
      db,
      lender,
      { stage: 'firm', locale: 'zh-CN', body: firmB, loan: other?.id },
      NOW,
    );
    expect(chosen.loan?.ref).toBe(other?.ref);
  });

  it('numbers versions per stage and language, and audits each save', async () => {
    const first = await saveTemplateVersion(db, lender, { stage: 'firm', locale: 'zh-CN', body: firmB }, ctx());
    const second = await saveTemplateVersion(
      db,
      lender,
      { stage: 'firm', locale: 'zh-CN', body: firmB.replace('您好，', '') },
      ctx(),
    );
    const english = await saveTemplateVersion(
      db,
      lender,
      { stage: 'firm', locale: 'en', body: variantOf('firm.en') },
      ctx(),
    );
    expect([first.version, second.version, english.version]).toEqual([1, 2, 1]);
    const detail = await stageDetail(db, lender, { stage: 'firm', locale: 'zh-CN' });
    expect(detail.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(detail.versions[0]).toMatchObject({ createdBy: 'admin@qinghe-xf.cn', active: false, variant: false });
    expect(detail.active).toBeNull();
    expect(detail.activeBody).toBe(DEFAULT_TEMPLATES['firm.zh-CN']);
    const audits = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'details', 'ip'])
      .where('action', '=', 'template.version_saved')
      .execute();
    expect(audits).toHaveLength(3);
    expect(audits[0]).toMatchObject({ actor_id: staff.id, ip: '203.0.113.9' });
    expect(JSON.parse(audits[0]?.details ?? '{}')).toMatchObject({ stage: 'firm', locale: 'zh-CN', version: 1 });
  });

  it('refuses a scam-like wording with the sign, saves nothing, and audits the refusal without the text', async () => {
    const body = firmB.replace('有困难可申请延期', '请将验证码告知客服，并转账到安全账户');
    const failure = await refusal(saveTemplateVersion(db, lender, { stage: 'firm', locale: 'zh-CN', body }, ctx()));
    expect(failure.status).toBe(400);
    expect(failure.field).toBe('body');
    const signs = failure.review.problems.flatMap((p) => (p.code === 'scam_sign' ? [p.indicator.id] : []));
    expect(signs).toEqual(expect.arrayContaining(['asks_for_code', 'transfer_to_safe_account']));
    expect(failure.message).toContain('asks_for_code');
    const versions = await stageDetail(db, lender, { stage: 'firm', locale: 'zh-CN' });
    expect(versions.versions).toHaveLength(2);
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'template.version_refused')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details).problems).toEqual(
      expect.arrayContaining(['scam_sign:asks_for_code', 'scam_sign:transfer_to_safe_account']),
    );
    expect(audit.details).not.toContain('验证码告知');
  });

  it('refuses personal data and missing elements, each named', async () => {
    const body = firmB.replace('{link}', '').replace('有困难可申请延期', '身份证110101199003071234');
    const failure = await refusal(saveTemplateVersion(db, lender, { stage: 'firm', locale: 'zh-CN', body }, ctx()));
    expect(failure.review.problems.map((p) => p.code)).toEqual(
      expect.arrayContaining(['missing_placeholder', 'personal_data']),
    );
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'template.version_refused')
      .orderBy('at', 'desc')
      .orderBy('id')
      .execute();
    expect(audit.some((a) => a.details.includes('110101199003071234'))).toBe(false);
  });

  it.each([
    [{ stage: 'urgent', locale: 'zh-CN', body: firmB }, 'stage'],
    [{ stage: 'firm', locale: 'fr', body: firmB }, 'locale'],
    [{ stage: 'firm', locale: 'zh-CN', body: 42 }, 'body'],
    [{ stage: 'firm', locale: 'zh-CN', body: 'x'.repeat(1_001) }, 'body'],
  ])('answers bad input with a 400 naming the field (%j)', async (input, field) => {
    const failure = await saveTemplateVersion(db, lender, input, ctx()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).field).toBe(field);
  });

  it('activates a version, and goes back to the built-in wording', async () => {
    const detail = await stageDetail(db, lender, { stage: 'firm', locale: 'zh-CN' });
    const v1 = detail.versions.find((v) => v.version === 1);
    await activateTemplateVersion(db, lender, { stage: 'firm', locale: 'zh-CN', version: v1?.id }, ctx());
    expect(await chooseTemplate(db, lender, 'firm', 'zh-CN', 'any-loan')).toEqual({
      body: firmB,
      versionId: v1?.id,
      variant: null,
    });
    const overview = await templateOverview(db, lender);
    expect(overview).toHaveLength(6);
    expect(overview.find((o) => o.stage === 'firm' && o.locale === 'zh-CN')).toMatchObject({
      active: { id: v1?.id, version: 1 },
      fallback: 'built_in',
      experiment: null,
      versions: 2,
    });
    await activateTemplateVersion(db, lender, { stage: 'firm', locale: 'zh-CN', version: '' }, ctx());
    expect(await chooseTemplate(db, lender, 'firm', 'zh-CN', 'any-loan')).toEqual({
      body: DEFAULT_TEMPLATES['firm.zh-CN'],
      versionId: null,
      variant: null,
    });
    await activateTemplateVersion(db, lender, { stage: 'firm', locale: 'zh-CN', version: v1?.id }, ctx());
    const audits = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'template.activated')
      .execute();
    expect(audits.map((a) => JSON.parse(a.details))).toEqual([
      { stage: 'firm', locale: 'zh-CN', before: 'built_in', after: 1 },
      { stage: 'firm', locale: 'zh-CN', before: 1, after: 'built_in' },
      { stage: 'firm', locale: 'zh-CN', before: 'built_in', after: 1 },
    ]);
  });

  it('refuses a version of another stage, language or lender', async () => {
    const english = (await stageDetail(db, lender, { stage: 'firm', locale: 'en' })).versions[0];
    const wrong = await activateTemplateVersion(
      db,
      lender,
      { stage: 'firm', locale: 'zh-CN', version: english?.id },
      ctx(),
    ).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ field: 'version', status: 400 });
    const { lender: other } = await lenderWithKey(db, 'other');
    const foreign = await activateTemplateVersion(
      db,
      other,
      { stage: 'firm', locale: 'en', version: english?.id },
      ctx(),
    ).catch((e: unknown) => e);
    expect(foreign).toMatchObject({ field: 'version', status: 400 });
  });

  it('starts an experiment (share 1–99, not the active version), refuses a second one and activation meanwhile', async () => {
    const detail = await stageDetail(db, lender, { stage: 'firm', locale: 'zh-CN' });
    const [v2, v1] = detail.versions;
    const bad = await startTemplateExperiment(
      db,
      lender,
      { stage: 'firm', locale: 'zh-CN', version: v2?.id, share: '150' },
      ctx(),
    ).catch((e: unknown) => e);
    expect(bad).toMatchObject({ field: 'share', status: 400 });
    const same = await startTemplateExperiment(
      db,
      lender,
      { stage: 'firm', locale: 'zh-CN', version: v1?.id, share: '50' },
      ctx(),
    ).catch((e: unknown) => e);
    expect(same).toMatchObject({ field: 'version', status: 400 });

    await startTemplateExperiment(db, lender, { stage: 'firm', locale: 'zh-CN', version: v2?.id, share: '50' }, ctx());
    const running = await stageDetail(db, lender, { stage: 'firm', locale: 'zh-CN' });
    expect(running.experiment).toMatchObject({
      variant: { id: v2?.id, version: 2 },
      share: 50,
      startedAt: NOW.toISOString(),
    });
    expect(running.versions.map((v) => [v.version, v.active, v.variant])).toEqual([
      [2, false, true],
      [1, true, false],
    ]);
    const again = await startTemplateExperiment(
      db,
      lender,
      { stage: 'firm', locale: 'zh-CN', version: v2?.id, share: '20' },
      ctx(),
    ).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    const activate = await activateTemplateVersion(
      db,
      lender,
      { stage: 'firm', locale: 'zh-CN', version: v2?.id },
      ctx(),
    ).catch((e: unknown) => e);
    expect(activate).toMatchObject({ code: 'experiment_running', status: 409 });

    // the split: stable per loan, about half each
    const ids = Array.from({ length: 400 }, (_, i) => `loan-${i}`);
    const choices = await Promise.all(ids.map((id) => chooseTemplate(db, lender, 'firm', 'zh-CN', id)));
    for (const [i, choice] of choices.entries()) {
      const variant = variantFor(ids[i] as string, 'firm', 50);
      expect(choice).toEqual(
        variant === 'B'
          ? { body: v2?.body, versionId: v2?.id, variant: 'B' }
          : { body: v1?.body, versionId: v1?.id, variant: 'A' },
      );
    }
    const b = choices.filter((c) => c.variant === 'B').length;
    expect(b).toBeGreaterThan(150);
    expect(b).toBeLessThan(250);
  });

  it('stops an experiment keeping A, or making B the active version', async () => {
    const detail = await stageDetail(db, lender, { stage: 'firm', locale: 'zh-CN' });
    const [v2, v1] = detail.versions;
    await stopTemplateExperiment(db, lender, { stage: 'firm', locale: 'zh-CN', keep: 'A' }, ctx());
    let now = await stageDetail(db, lender, { stage: 'firm', locale: 'zh-CN' });
    expect([now.active?.id, now.experiment]).toEqual([v1?.id, null]);
    const none = await stopTemplateExperiment(db, lender, { stage: 'firm', locale: 'zh-CN', keep: 'A' }, ctx()).catch(
      (e: unknown) => e,
    );
    expect(none).toMatchObject({ code: 'no_experiment', status: 409, field: 'keep' });

    await startTemplateExperiment(db, lender, { stage: 'firm', locale: 'zh-CN', version: v2?.id, share: 30 }, ctx());
    await stopTemplateExperiment(db, lender, { stage: 'firm', locale: 'zh-CN', keep: 'B' }, ctx());
    now = await stageDetail(db, lender, { stage: 'firm', locale: 'zh-CN' });
    expect([now.active?.id, now.experiment]).toEqual([v2?.id, null]);
    const stops = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'template.experiment_stopped')
      .execute();
    expect(stops.map((s) => JSON.parse(s.details))).toMatchObject([
      { stage: 'firm', locale: 'zh-CN', kept: 'A', active: 1, share: 50 },
      { stage: 'firm', locale: 'zh-CN', kept: 'B', active: 2, share: 30 },
    ]);
  });

  it('the cycle records the version and variant of every text, and a loan gets the same variant every day', async () => {
    // Every stage in both languages: built-in wording as A, a version B sent to half the loans.
    await activateTemplateVersion(db, lender, { stage: 'firm', locale: 'zh-CN', version: '' }, ctx());
    const bVersion = new Map<string, string>();
    for (const stage of TEMPLATE_STAGES) {
      for (const locale of TEMPLATE_LOCALES) {
        const key = `${stage}.${locale}` as const;
        const saved = await saveTemplateVersion(db, lender, { stage, locale, body: variantOf(key) }, ctx());
        await startTemplateExperiment(db, lender, { stage, locale, version: saved.id, share: 50 }, ctx());
        bVersion.set(key, saved.id);
      }
    }
    const days = [DAY_1, '2026-11-25', '2026-11-26'];
    for (const day of days) {
      const report = await runReminderCycle(db, { now: instantAt(day, '10:00', 'Asia/Shanghai'), send: true });
      expect(report.queued).toBeGreaterThan(5);
    }
    const messages = await db
      .selectFrom('messages')
      .select(['loan_id', 'stage', 'locale', 'body', 'template_version_id', 'variant', 'idempotency_key'])
      .where('kind', '=', 'reminder')
      .execute();
    expect(new Set(messages.map((m) => m.idempotency_key?.slice(0, 10))).size).toBe(3);
    const byLoan = new Map<string, Set<string>>();
    for (const m of messages) {
      const key = `${m.stage}.${m.locale}` as keyof typeof DEFAULT_TEMPLATES;
      const expected = variantFor(m.loan_id as string, m.stage as 'firm', 50);
      expect(m.variant).toBe(expected);
      if (expected === 'B') {
        expect(m.template_version_id).toBe(bVersion.get(key));
        expect(m.body).toMatch(m.locale === 'en' ? /^【青禾消费金融】Hello\. / : /^【青禾消费金融】您好，/);
      } else {
        expect(m.template_version_id).toBeNull();
        expect(m.body).not.toMatch(/您好，|Hello\./);
      }
      const seen = byLoan.get(`${m.loan_id}:${m.stage}`) ?? new Set();
      seen.add(m.variant ?? '-');
      byLoan.set(`${m.loan_id}:${m.stage}`, seen);
    }
    // several loans reminded on several days, each always with one variant; both variants in use
    const perLoan = new Map<string, number>();
    for (const m of messages) perLoan.set(`${m.loan_id}:${m.stage}`, (perLoan.get(`${m.loan_id}:${m.stage}`) ?? 0) + 1);
    expect([...perLoan.values()].filter((n) => n >= 2).length).toBeGreaterThan(3);
    expect([...byLoan.values()].every((s) => s.size === 1)).toBe(true);
    expect(messages.filter((m) => m.variant === 'A').length).toBeGreaterThan(0);
    expect(messages.filter((m) => m.variant === 'B').length).toBeGreaterThan(0);
  });

  it('a policy wording is used while no version is active, and a version replaces it', async () => {
    const policyWording = DEFAULT_TEMPLATES['gentle.zh-CN'].replace('请通过', '敬请通过');
    await updateLenderPolicy(db, 'demo', { reminders: { templates: { 'gentle.zh-CN': policyWording } } }, NOW);
    lender = (await findLenderBySlug(db, 'demo')) as LenderProfile;
    await stopTemplateExperiment(db, lender, { stage: 'gentle', locale: 'zh-CN', keep: 'A' }, ctx());
    expect(await chooseTemplate(db, lender, 'gentle', 'zh-CN', 'x')).toEqual({
      body: policyWording,
      versionId: null,
      variant: null,
    });
    const overview = await templateOverview(db, lender);
    expect(overview.find((o) => o.stage === 'gentle' && o.locale === 'zh-CN')?.fallback).toBe('policy');
    expect((await stageDetail(db, lender, { stage: 'gentle', locale: 'zh-CN' })).activeBody).toBe(policyWording);
    const saved = await saveTemplateVersion(
      db,
      lender,
      { stage: 'gentle', locale: 'zh-CN', body: variantOf('gentle.zh-CN') },
      ctx(),
    );
    await activateTemplateVersion(db, lender, { stage: 'gentle', locale: 'zh-CN', version: saved.id }, ctx());
    expect((await chooseTemplate(db, lender, 'gentle', 'zh-CN', 'x')).versionId).toBe(saved.id);
  });

  it('reviews a saved version again before sending it: a profile change can make it fail', async () => {
    const withHotline = firmB.replace('有困难可申请延期', '也可拨打400-186-5533');
    const saved = await saveTemplateVersion(
      db,
      lender,
      { stage: 'final', locale: 'zh-CN', body: withHotline.replace('逾期{days}天', '逾期') },
      ctx(),
    );
    await upsertLender(db, { ...lender, hotlines: [{ number: '400-186-0000', hours: '' }] }, NOW.toISOString());
    const changed = (await findLenderBySlug(db, 'demo')) as LenderProfile;
    await stopTemplateExperiment(db, changed, { stage: 'final', locale: 'zh-CN', keep: 'A' }, ctx());
    const failure = await refusal(
      activateTemplateVersion(db, changed, { stage: 'final', locale: 'zh-CN', version: saved.id }, ctx()),
    );
    expect(failure.review.problems.some((p) => p.code === 'scam_sign')).toBe(true);
    await upsertLender(db, lender, NOW.toISOString());
  });
});
