import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/core/errors.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { updateLenderPolicy } from '../../src/services/lender-policy.ts';
import { changeLenderProfile, createLender } from '../../src/services/lenders.ts';
import { describeEachDialect } from '../support/databases.ts';

// Creating and changing a lender's profile as use cases, on each database: what is saved, what is
// audited, and what two writers at once end with.

const NOW = new Date('2026-11-24T02:00:00Z');

const profile = (slug: string) => ({
  slug,
  name: '和信消费金融',
  nameEn: 'Hexin Consumer Finance',
  smsSignature: '和信消费金融',
  domains: [`${slug}-cf.cn`],
  shortLinkDomain: `${slug}.cn`,
  hotlines: ['400-800-1234'],
  repaymentChannels: [
    {
      kind: 'bank_transfer',
      label: '对公账户：和信消费金融有限公司',
      labelEn: 'Company account: Hexin Consumer Finance Co., Ltd.',
      detail: '交通银行 3100 6661 8018 0000 1234 5',
    },
  ],
  widgetOrigins: [],
});

describeEachDialect('lender profile use cases', (get) => {
  const audit = async (subject: string) =>
    (
      await get()
        .connection.db.selectFrom('audit_log')
        .select(['action', 'details', 'at', 'actor_kind'])
        .where('subject', '=', subject)
        .orderBy('at')
        .orderBy('id')
        .execute()
    ).map((row) => ({ ...row, details: JSON.parse(row.details) }));

  it('creates with the default policies and audits every field, never the account number', async () => {
    const { db } = get().connection;
    const created = await createLender(db, profile('hexin'), NOW);
    expect(created.policy.money.graceDays).toBe(3);
    const lender = await findLenderBySlug(db, 'hexin');
    expect(lender?.hotlines).toEqual([{ number: '400-800-1234', hours: '' }]);
    const entries = await audit(`lender:${lender?.id}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'lender.created', at: NOW.toISOString(), actor_kind: 'system' });
    expect(entries[0]?.details.fields).toContain('repaymentChannels');
    expect(JSON.stringify(entries[0]?.details)).not.toMatch(/3100 ?6661/);
  });

  it('refuses a second lender with a taken slug as a conflict on slug, even when both arrive at once', async () => {
    const { db } = get().connection;
    const results = await Promise.allSettled([
      createLender(db, profile('twin'), NOW),
      createLender(db, { ...profile('twin'), name: '另一家' }, NOW),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(ConflictError);
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({ field: 'slug', status: 409 });
  });

  it('keeps both of two changes made at once to different fields', async () => {
    const { db } = get().connection;
    await createLender(db, profile('race'), NOW);
    await Promise.all([
      changeLenderProfile(db, 'race', { widgetOrigins: ['https://help.race-cf.cn'] }, NOW),
      changeLenderProfile(db, 'race', { name: '和信消费金融（新）' }, NOW),
      changeLenderProfile(db, 'race', { hotlines: ['95566'] }, NOW),
    ]);
    const lender = await findLenderBySlug(db, 'race');
    expect(lender).toMatchObject({
      widgetOrigins: ['https://help.race-cf.cn'],
      name: '和信消费金融（新）',
      hotlines: [{ number: '95566', hours: '' }],
    });
    const changes = (await audit(`lender:${lender?.id}`)).filter((e) => e.action === 'lender.profile_changed');
    expect(changes.map((e) => e.details.fields).sort()).toEqual([['hotlines'], ['name'], ['widgetOrigins']]);
  });

  it('keeps a profile change and a policy change made at once (policy set writes only the policy)', async () => {
    const { db } = get().connection;
    await createLender(db, profile('both'), NOW);
    await Promise.all([
      changeLenderProfile(db, 'both', { widgetOrigins: ['https://help.both-cf.cn'] }, NOW),
      updateLenderPolicy(db, 'both', { reminders: { dailyCap: 2 } }, NOW),
      changeLenderProfile(db, 'both', { name: '和信消费金融（新）' }, NOW),
      updateLenderPolicy(db, 'both', { money: { graceDays: 5 } }, NOW),
    ]);
    const lender = await findLenderBySlug(db, 'both');
    expect(lender).toMatchObject({
      widgetOrigins: ['https://help.both-cf.cn'],
      name: '和信消费金融（新）',
      reminders: { dailyCap: 2 },
      policy: { graceDays: 5 },
    });
  });

  it('leaves the policies alone and refuses to change them here', async () => {
    const { db } = get().connection;
    await createLender(db, profile('keep'), NOW);
    const before = await findLenderBySlug(db, 'keep');
    await changeLenderProfile(db, 'keep', { nameEn: 'Hexin Finance' }, NOW);
    const after = await findLenderBySlug(db, 'keep');
    expect(after?.policy).toEqual(before?.policy);
    expect(after?.reminders).toEqual(before?.reminders);
    await expect(changeLenderProfile(db, 'keep', { policy: { money: { graceDays: 9 } } }, NOW)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('the use cases without a database', () => {
  it('refuses what is not a JSON object before looking anything up', async () => {
    const db = undefined as never;
    await expect(createLender(db, ['x'])).rejects.toThrow(/^body: a JSON object/);
    await expect(changeLenderProfile(db, 'x', null)).rejects.toThrow(/^body: a JSON object/);
    await expect(changeLenderProfile(db, 'x', { colour: 1 })).rejects.toThrow(/^colour: unknown field/);
  });
});
