import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicLenderProfile } from '../../src/services/lenders.ts';
import { runCli } from '../support/cli.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';

// Lender onboarding through the operator CLI (CONTRACT.md "Lender onboarding"), run as a separate
// process like an operator would, once per database dialect.

announcePostgresSkip();

/** A whole profile in the shapes GET /api/v1/lenders/<slug> shows (hotlines as strings). */
const ANXIN = {
  slug: 'anxin',
  name: '安信消费金融',
  nameEn: 'Anxin Consumer Finance',
  smsSignature: '【安信消费金融】',
  domains: ['AnXin-CF.com.cn', 'app.anxin-cf.com.cn'],
  shortLinkDomain: 'axcf.cn',
  hotlines: ['400 820 1234', { number: '95512', hours: '24 小时' }],
  repaymentChannels: [
    { kind: 'website', label: '官网还款', labelEn: 'Repay online', detail: 'https://pay.anxin-cf.com.cn/repay' },
    {
      kind: 'bank_transfer',
      label: '对公账户：安信消费金融有限公司',
      labelEn: 'Company account: Anxin Consumer Finance Co., Ltd.',
      detail: '中国银行 北京分行 3456 7890 1234',
    },
  ],
  widgetOrigins: ['https://help.anxin-cf.com.cn'],
};

for (const dialect of dialects) {
  // Every step starts a Node process; a busy machine makes each take seconds.
  describe(`lender onboarding CLI [${dialect}]`, { timeout: 180_000 }, () => {
    let database: TestDatabase;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-lender-cli-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
    });
    afterAll(async () => {
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const cli = (args: string[], input?: unknown) =>
      runCli(
        args,
        { DATABASE_URL: database.url },
        input === undefined || typeof input === 'string' ? input : JSON.stringify(input),
      );
    const json = async (args: string[], input?: unknown) => {
      const result = await cli([...args, '--json'], input);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return JSON.parse(result.stdout);
    };
    const auditOf = async (action: string) =>
      (
        await database.connection.db
          .selectFrom('audit_log')
          .select(['action', 'details', 'subject'])
          .where('action', '=', action)
          .orderBy('at')
          .execute()
      ).map((row) => ({ ...row, details: JSON.parse(row.details) }));

    it('creates a lender from its whole profile, normalised, with the default policies', async () => {
      const created = await json(['lender', 'create'], ANXIN);
      expect(created).toMatchObject({
        slug: 'anxin',
        smsSignature: '安信消费金融',
        domains: ['anxin-cf.com.cn', 'app.anxin-cf.com.cn'],
        hotlines: [
          { number: '400 820 1234', hours: '' },
          { number: '95512', hours: '24 小时' },
        ],
        widgetOrigins: ['https://help.anxin-cf.com.cn'],
        policy: { money: { graceDays: 3, penaltyDailyRate: '0.0005' }, reminders: { dailyCap: 1 } },
      });
      expect(await json(['lender', 'show', 'anxin'])).toEqual(created);
      // The public profile keeps CONTRACT.md's shape: hotlines as strings, the signature bare.
      expect(await publicLenderProfile(database.connection.db, 'anxin')).toMatchObject({
        slug: 'anxin',
        name: '安信消费金融',
        smsSignature: '安信消费金融',
        domains: ['anxin-cf.com.cn', 'app.anxin-cf.com.cn'],
        shortLinkDomain: 'axcf.cn',
        hotlines: ['400 820 1234', '95512'],
        repaymentChannels: created.repaymentChannels,
      });
      const [audit] = await auditOf('lender.created');
      expect(audit?.details).toMatchObject({
        slug: 'anxin',
        fields: expect.arrayContaining(['widgetOrigins', 'domains', 'hotlines']),
        values: { widgetOrigins: { before: null, after: ['https://help.anxin-cf.com.cn'] } },
      });
      expect(JSON.stringify(audit?.details)).not.toContain('3456 7890');
    });

    it('prints the profile for people without --json', async () => {
      const shown = await cli(['lender', 'show', 'anxin']);
      expect(shown.status).toBe(0);
      expect(shown.stdout).toContain('【安信消费金融】');
      expect(shown.stdout).toContain('https://help.anxin-cf.com.cn');
      expect(shown.stdout).toContain('95512 (24 小时)');
    });

    it('refuses a slug that exists, naming slug, and leaves the lender as it was', async () => {
      const again = await cli(['lender', 'create'], { ...ANXIN, name: '别的名字' });
      expect(again.status).toBe(2);
      expect(again.stderr).toMatch(/^slug: a lender "anxin" already exists/);
      expect((await json(['lender', 'show', 'anxin'])).name).toBe('安信消费金融');
      expect(await auditOf('lender.created')).toHaveLength(1);
    });

    it.each([
      [{ ...ANXIN, slug: 'anxin-2', hotlines: ['138 0013 8000'] }, /^hotlines\[0\]: 138 0013 8000 is a mobile number/],
      [{ ...ANXIN, slug: 'anxin-2', domains: ['com.cn'] }, /^domains\[0\]: com\.cn is a public suffix/],
      [{ ...ANXIN, slug: 'anxin-2', smsSignature: '【安信' }, /^smsSignature: unbalanced or nested brackets/],
      [{ ...ANXIN, slug: 'anxin-2', policy: {} }, /^policy: a new lender starts with the default policies/],
      [{ ...ANXIN, slug: 'anxin-2', colour: 'red' }, /^colour: unknown field \(a profile has slug, name/],
      [(({ nameEn: _, ...rest }) => ({ ...rest, slug: 'anxin-2' }))(ANXIN), /^nameEn: nameEn is required/],
      ['[1, 2]', /^body: a JSON object with the profile fields/],
      ['{"slug":', /^stdin: not valid JSON/],
    ])('refuses an invalid new profile, naming the field (%#)', async (input, message) => {
      const result = await cli(['lender', 'create'], input);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    });

    it('sets widget origins from a partial change, normalised, and audits before and after', async () => {
      const set = await json(['lender', 'set', 'anxin'], {
        widgetOrigins: [
          'https://Help.Anxin-CF.com.cn:443',
          'https://m.anxin-cf.com.cn',
          'https://help.anxin-cf.com.cn',
        ],
      });
      expect(set.widgetOrigins).toEqual(['https://help.anxin-cf.com.cn', 'https://m.anxin-cf.com.cn']);
      expect(set.name).toBe('安信消费金融');
      expect((await json(['lender', 'show', 'anxin'])).widgetOrigins).toEqual(set.widgetOrigins);
      const changes = await auditOf('lender.profile_changed');
      expect(changes.at(-1)?.details).toEqual({
        fields: ['widgetOrigins'],
        values: {
          widgetOrigins: {
            before: ['https://help.anxin-cf.com.cn'],
            after: ['https://help.anxin-cf.com.cn', 'https://m.anxin-cf.com.cn'],
          },
        },
      });
    });

    it('refuses an invalid result naming the field, on stderr with status 2, and changes nothing', async () => {
      const before = await json(['lender', 'show', 'anxin']);
      const audits = (await auditOf('lender.profile_changed')).length;
      const cases: Array<[unknown, RegExp]> = [
        [{ widgetOrigins: ['https://help.anxin-cf.com.cn/'] }, /^widgetOrigins\[0\]: no trailing slash/],
        [
          { widgetOrigins: ['https://ok.anxin-cf.com.cn', 'http://help.anxin-cf.com.cn'] },
          /^widgetOrigins\[1\]: must be https/,
        ],
        [{ widgetOrigins: ['https://*.anxin-cf.com.cn'] }, /^widgetOrigins\[0\]: wildcards are not allowed/],
        [{ widgetOrigins: 'https://help.anxin-cf.com.cn' }, /^widgetOrigins: widgetOrigins must be a list/],
        // Valid on its own, but the channels still point at the old domain: the result is what counts.
        [
          { domains: ['anxin.cn'] },
          /^repaymentChannels\[0\]\.detail: pay\.anxin-cf\.com\.cn is not on the lender’s domains \(anxin\.cn\)/,
        ],
        [{ hotlines: ['+86 138-0013-8000'] }, /^hotlines\[0\]: \+86 138-0013-8000 is a mobile number/],
        [{ slug: 'anxin-new' }, /^slug: a lender’s slug cannot be changed/],
        [{ policy: { money: {} } }, /^policy: change the policies with `policy set anxin`/],
        [{ widgetorigins: [] }, /^widgetorigins: unknown field/],
        // U+0000 cannot be stored on PostgreSQL: refused with its path before anything reads it
        [{ hotlines: [{ number: '95512', hours: '24\u0000小时' }] }, /^hotlines\[0\]\.hours: must not contain control/],
      ];
      for (const [change, message] of cases) {
        const result = await cli(['lender', 'set', 'anxin'], change);
        expect(result.status, JSON.stringify(change)).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stdout).toBe('');
      }
      expect(await json(['lender', 'show', 'anxin'])).toEqual(before);
      expect(await auditOf('lender.profile_changed')).toHaveLength(audits);
    });

    it('takes back what show printed unchanged, keeps hours of a number given as a string, and audits nothing unchanged', async () => {
      const shown = await json(['lender', 'show', 'anxin']);
      const audits = (await auditOf('lender.profile_changed')).length;
      expect(await json(['lender', 'set', 'anxin'], shown)).toEqual(shown);
      expect(await auditOf('lender.profile_changed')).toHaveLength(audits);
      const set = await json(['lender', 'set', 'anxin'], { hotlines: ['95512', '021-6188 3721'] });
      expect(set.hotlines).toEqual([
        { number: '95512', hours: '24 小时' },
        { number: '021-6188 3721', hours: '' },
      ]);
    });

    it('names what is wrong with the command itself', async () => {
      expect((await cli(['lender', 'show', 'nobody'])).stderr).toContain('no lender with slug "nobody"');
      expect((await cli(['lender', 'set', 'nobody'], {})).status).toBe(2);
      const usage = await cli(['lender', 'create', 'anxin'], ANXIN);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain('usage: lender create');
      expect((await cli(['lender', 'rename', 'anxin'])).stderr).toContain('usage: lender create');
    });
  });
}
