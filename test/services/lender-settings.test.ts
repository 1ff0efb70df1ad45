import { expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { updateLenderPolicy } from '../../src/services/lender-policy.ts';
import { applySettingsChange, previewSettingsChange, type SettingsActor } from '../../src/services/lender-settings.ts';
import { changeLenderProfile, createLender } from '../../src/services/lenders.ts';
import { recentSettingsChanges } from '../../src/services/settings-history.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { describeEachDialect } from '../support/databases.ts';

// Changing a lender's settings from the console: a change is previewed as a diff, checked exactly
// as the CLI checks it, applied only while the lender is still as the diff showed it, and audited.

const CREATED = new Date('2026-12-06T01:00:00Z');
const NOW = new Date('2026-12-06T02:00:00Z');
/** Each change at its own later minute, so the audit log's order is the order of the test. */
let clock = Date.parse('2026-12-06T03:00:00Z');
const tick = () => {
  clock += 60_000;
  return new Date(clock);
};

const profile = (slug: string) => ({
  slug,
  name: '和信消费金融',
  nameEn: 'Hexin Consumer Finance',
  smsSignature: '和信消费金融',
  domains: [`${slug}-cf.cn`],
  shortLinkDomain: `${slug}.cn`,
  hotlines: [{ number: '400-800-1234', hours: '09:00–21:00' }],
  repaymentChannels: [
    {
      kind: 'bank_transfer',
      label: '对公账户：和信消费金融有限公司',
      labelEn: 'Company account: Hexin Consumer Finance Co., Ltd.',
      detail: '交通银行 3100 6661 8018 0000 1234 5',
    },
    { kind: 'website', label: '官网还款', labelEn: 'Repay online', detail: `https://${slug}-cf.cn/repay` },
  ],
  widgetOrigins: [],
});

/** The message the CLI's own use case refuses `change` with. */
async function cliRefusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).message;
}

describeEachDialect('lender settings from the console', (get) => {
  const db = () => get().connection.db;
  let staffId = '';
  const actor = (): SettingsActor => ({ actorKind: 'staff', actorId: staffId, ip: '203.0.113.9' });

  const audit = async (lenderId: string) =>
    (
      await db()
        .selectFrom('audit_log')
        .select(['action', 'details', 'actor_kind', 'actor_id', 'at', 'ip'])
        .where('subject', '=', `lender:${lenderId}`)
        .where('action', '=', 'lender.settings_changed')
        .orderBy('at')
        .orderBy('id')
        .execute()
    ).map((row) => ({ ...row, details: JSON.parse(row.details) }));

  it('previews a profile change as each changed field before and after, saving nothing', async () => {
    await createLender(db(), profile('diff'), CREATED);
    staffId = (await createStaffUser(db(), 'admin@diff-cf.cn', 'a long password 2026', NOW, 'diff', 'lender_admin')).id;
    const preview = await previewSettingsChange(db(), 'diff', 'profile', {
      name: '和信消费金融',
      hotlines: [
        { number: '400-800-1234', hours: '每天 08:00–22:00' },
        { number: '021-6188 3721', hours: '' },
      ],
    });
    expect(preview.diff).toEqual([
      {
        field: 'hotlines',
        before: [{ number: '400-800-1234', hours: '09:00–21:00' }],
        after: [
          { number: '400-800-1234', hours: '每天 08:00–22:00' },
          { number: '021-6188 3721', hours: '' },
        ],
      },
    ]);
    expect(preview.basis).toMatch(/^[\w-]{43}$/);
    expect((await findLenderBySlug(db(), 'diff'))?.hotlines).toHaveLength(1);
  });

  it('previews a policy change leaf by leaf, and an unchanged value is no change', async () => {
    const preview = await previewSettingsChange(db(), 'diff', 'reminders', {
      reminders: { dailyCap: 2, contactWindow: { start: '09:00', end: '21:00' }, allowOptOut: true },
    });
    expect(preview.diff).toEqual([
      { field: 'reminders.contactWindow.start', before: '08:00', after: '09:00' },
      { field: 'reminders.dailyCap', before: 1, after: 2 },
    ]);
    const relief = await previewSettingsChange(db(), 'diff', 'relief', { relief: { plan: { terms: [3, 6] } } });
    expect(relief.diff).toEqual([{ field: 'relief.plan.terms', before: [3, 6, 12], after: [3, 6] }]);
    const none = await previewSettingsChange(db(), 'diff', 'money', { money: { graceDays: 3 } });
    expect(none.diff).toEqual([]);
  });

  it('refuses what the CLI refuses, with the same field and message', async () => {
    const cases: Array<[group: 'profile' | 'widget' | 'money' | 'reminders' | 'relief', change: object]> = [
      ['widget', { widgetOrigins: ['https://help.diff-cf.cn/'] }],
      ['profile', { hotlines: ['138 0013 8000'] }],
      ['profile', { name: 'A\u0000B' }],
      ['profile', { domains: ['other-cf.cn'] }],
    ];
    for (const [group, change] of cases) {
      const cli = await cliRefusal(changeLenderProfile(db(), 'diff', change, NOW));
      const console = await cliRefusal(previewSettingsChange(db(), 'diff', group, change));
      expect(console, JSON.stringify(change)).toBe(cli);
    }
    const policyCases = [
      { reminders: { contactWindow: { start: '21:00', end: '08:00' } } },
      { money: { penaltyDailyRate: 'abc' } },
      { relief: { plan: { terms: [3, 3] } } },
      { reminders: { dailyCap: 11 } },
    ];
    for (const change of policyCases) {
      const cli = await cliRefusal(updateLenderPolicy(db(), 'diff', change, NOW));
      const group = Object.keys(change)[0] as 'money' | 'reminders' | 'relief';
      const console = await cliRefusal(previewSettingsChange(db(), 'diff', group, change));
      expect(console, JSON.stringify(change)).toBe(cli);
    }
    // A website channel on a domain the lender would no longer list: the whole profile is checked.
    expect(await cliRefusal(previewSettingsChange(db(), 'diff', 'profile', { domains: ['other-cf.cn'] }))).toMatch(
      /^repaymentChannels\[1\]\.detail: diff-cf\.cn is not on the lender’s domains/,
    );
  });

  it("refuses fields outside the form's group, and the templates from the reminder form", async () => {
    await expect(previewSettingsChange(db(), 'diff', 'widget', { name: 'x' })).rejects.toThrow(/^name: not one of/);
    await expect(previewSettingsChange(db(), 'diff', 'money', { reminders: { dailyCap: 2 } })).rejects.toThrow(
      /^reminders: not one of/,
    );
    await expect(
      previewSettingsChange(db(), 'diff', 'reminders', { reminders: { templates: { gentle: 'x' } } }),
    ).rejects.toThrow(/^reminders\.templates:/);
    await expect(previewSettingsChange(db(), 'diff', 'profile', ['x'])).rejects.toThrow(/^body:/);
  });

  it('applies a confirmed change, audits who, when and each before and after, and every reader sees it', async () => {
    const change = { widgetOrigins: ['https://help.diff-cf.cn', 'http://localhost:4321'] };
    const { basis } = await previewSettingsChange(db(), 'diff', 'widget', change);
    const at = tick();
    const result = await applySettingsChange(db(), 'diff', 'widget', change, basis, actor(), at);
    expect(result.outcome).toBe('applied');
    const lender = await findLenderBySlug(db(), 'diff');
    expect(lender?.widgetOrigins).toEqual(['https://help.diff-cf.cn', 'http://localhost:4321']);
    const entries = await audit(lender?.id ?? '');
    expect(entries).toEqual([
      {
        action: 'lender.settings_changed',
        actor_kind: 'staff',
        actor_id: staffId,
        ip: '203.0.113.9',
        at: at.toISOString(),
        details: {
          group: 'widget',
          fields: ['widgetOrigins'],
          values: { widgetOrigins: { before: [], after: ['https://help.diff-cf.cn', 'http://localhost:4321'] } },
        },
      },
    ]);
  });

  it('names the repayment channels in the audit log without their account numbers', async () => {
    const channels = [
      { ...profile('diff').repaymentChannels[0], detail: '交通银行 3100 6661 8018 0000 9999 9' },
      { kind: 'app', label: '和信 App', labelEn: 'Hexin app', detail: '在应用商店搜索“和信消费金融”' },
    ];
    const { basis, diff } = await previewSettingsChange(db(), 'diff', 'profile', { repaymentChannels: channels });
    expect(diff.map((d) => d.field)).toEqual(['repaymentChannels']);
    expect(
      await applySettingsChange(db(), 'diff', 'profile', { repaymentChannels: channels }, basis, actor(), tick()),
    ).toMatchObject({ outcome: 'applied' });
    const lender = await findLenderBySlug(db(), 'diff');
    const last = (await audit(lender?.id ?? '')).at(-1);
    expect(last?.details.fields).toEqual(['repaymentChannels']);
    expect(JSON.stringify(last?.details)).not.toMatch(/3100|9999/);
  });

  it('does not overwrite a change made since the diff was shown: it shows the new diff instead', async () => {
    const mine = { hotlines: [{ number: '400-800-1234', hours: '全天' }] };
    const shown = await previewSettingsChange(db(), 'diff', 'profile', mine);
    // Someone else changes the same field through the CLI meanwhile.
    await changeLenderProfile(db(), 'diff', { hotlines: [{ number: '95566', hours: '09:00–18:00' }] }, tick());
    const result = await applySettingsChange(db(), 'diff', 'profile', mine, shown.basis, actor(), tick());
    expect(result.outcome).toBe('stale');
    if (result.outcome !== 'stale') return;
    expect(result.preview.diff).toEqual([
      { field: 'hotlines', before: [{ number: '95566', hours: '09:00–18:00' }], after: mine.hotlines },
    ]);
    expect(result.preview.basis).not.toBe(shown.basis);
    expect((await findLenderBySlug(db(), 'diff'))?.hotlines).toEqual([{ number: '95566', hours: '09:00–18:00' }]);
    // Confirming the new diff applies it.
    const again = await applySettingsChange(db(), 'diff', 'profile', mine, result.preview.basis, actor(), tick());
    expect(again.outcome).toBe('applied');
    expect((await findLenderBySlug(db(), 'diff'))?.hotlines).toEqual(mine.hotlines);
  });

  it('applies on top of a change to other fields, keeping it', async () => {
    const mine = { reminders: { weeklyCap: 4 } };
    const shown = await previewSettingsChange(db(), 'diff', 'reminders', mine);
    await updateLenderPolicy(db(), 'diff', { money: { graceDays: 5 } }, tick());
    expect(await applySettingsChange(db(), 'diff', 'reminders', mine, shown.basis, actor(), tick())).toMatchObject({
      outcome: 'applied',
    });
    const lender = await findLenderBySlug(db(), 'diff');
    expect(lender?.reminders.weeklyCap).toBe(4);
    expect(lender?.policy.graceDays).toBe(5);
  });

  it('refuses a change the lender no longer allows when confirmed (checked again)', async () => {
    const mine = { relief: { extension: { maxDays: 90 } } };
    const shown = await previewSettingsChange(db(), 'diff', 'relief', mine);
    await expect(
      applySettingsChange(db(), 'diff', 'relief', { relief: { extension: { maxDays: 900 } } }, shown.basis, actor()),
    ).rejects.toThrow(/^relief\.extension\.maxDays:/);
    expect((await findLenderBySlug(db(), 'diff'))?.relief.extension.maxDays).toBe(30);
  });

  it('saves one of two confirmations of the same diff at once, audited once', async () => {
    const mine = { money: { penaltyAnnualCap: '0.18' } };
    const at = tick();
    const shown = await previewSettingsChange(db(), 'diff', 'money', mine);
    const lender = await findLenderBySlug(db(), 'diff');
    const before = (await audit(lender?.id ?? '')).length;
    const results = await Promise.all([
      applySettingsChange(db(), 'diff', 'money', mine, shown.basis, actor(), at),
      applySettingsChange(db(), 'diff', 'money', mine, shown.basis, actor(), at),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['applied', 'unchanged']);
    expect((await audit(lender?.id ?? '')).length).toBe(before + 1);
    expect((await findLenderBySlug(db(), 'diff'))?.policy.penaltyAnnualCap).toBe('0.18');
  });

  it('lists the last changes, newest first: who, when and which fields, console and CLI alike', async () => {
    const lender = await findLenderBySlug(db(), 'diff');
    const changes = await recentSettingsChanges(db(), lender?.id ?? '', 20);
    expect(changes[0]).toEqual({
      at: new Date(clock).toISOString(),
      action: 'lender.settings_changed',
      by: 'admin@diff-cf.cn',
      fields: ['money.penaltyAnnualCap'],
    });
    expect(changes).toContainEqual({
      at: expect.any(String),
      action: 'lender.policy_changed',
      by: null,
      fields: ['money.graceDays'],
    });
    expect(changes.at(-1)).toMatchObject({ action: 'lender.created', by: null });
    expect(changes.at(-1)?.fields).toContain('hotlines');
    expect(await recentSettingsChanges(db(), lender?.id ?? '', 2)).toHaveLength(2);
  });
});
