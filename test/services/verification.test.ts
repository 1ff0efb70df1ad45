import { expect, it } from 'vitest';
import { referenceCode } from '../../src/core/tokens.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { lookUpShortLink } from '../../src/services/short-links.ts';
import { verify } from '../../src/services/verification.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { describeEachDialect } from '../support/databases.ts';
import { toTraditional } from '../support/traditional.ts';

// Genuine reminders sent by the engine, checked back through every way a borrower can.

describeEachDialect('verification against sent messages', (get) => {
  // The reminders are sent at SENT and checked an hour later, whatever the machine's clock says.
  const SENT = new Date('2026-11-24T10:00:00+08:00');
  const CHECKED = new Date('2026-11-24T11:00:00+08:00');
  let sms: { to: string; text: string }[] = [];
  const textTo = (phone: string) => sms.find((m) => m.to === phone)?.text ?? '';
  const tokenOf = (text: string) => /\/r\/([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
  // Anchored on the label: a random link token can itself contain "XXXX-XXXX".
  const codeOf = (text: string) => /(?:查询码|ref )([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(text)?.[1] ?? '';

  it('sends the demo reminders to check against', async () => {
    const connection = get().connection;
    await seedDemo(connection.db, new Date('2026-11-24T01:00:00Z'));
    await runReminderCycle(connection.db, { now: SENT, send: true });
    await dispatchOutbox(connection, createDevOutboxProvider(connection.db));
    sms = await connection.db.selectFrom('dev_sms_outbox').select(['to', 'text']).execute();
    expect(sms).toHaveLength(11);
  });

  it('calls a real link genuine, with the lender, time and masked number, and no signs', async () => {
    const { db } = get().connection;
    const text = textTo('+8613800138007');
    const link = `https://qhxf.cn/r/${tokenOf(text)}`;
    const result = await verify(db, { link }, 'zh-CN', CHECKED);
    expect(result.answer).toMatchObject({ verdict: 'genuine', risk: 'none', indicators: [] });
    expect(result.answer.message).toMatchObject({ lender: 'demo', maskedPhone: '138****8007' });
    expect(result.answer.official).toEqual({
      name: '青禾消费金融（演示）',
      domains: ['qinghe-xf.cn', 'app.qinghe-xf.cn'],
      hotlines: ['400-186-5533'],
    });
    // without the scheme, as people copy it
    expect((await verify(db, { link: `qhxf.cn/r/${tokenOf(text)}` }, 'en', CHECKED)).answer.verdict).toBe('genuine');
  });

  it('calls a code genuine only with the right last four digits', async () => {
    const { db } = get().connection;
    const code = codeOf(textTo('+8613800138005'));
    expect((await verify(db, { code, phoneLast4: '8005' }, 'zh-CN', CHECKED)).answer.verdict).toBe('genuine');
    expect(
      (await verify(db, { code: code.toLowerCase().replace('-', ''), phoneLast4: '8005' }, 'zh-CN', CHECKED)).answer
        .verdict,
    ).toBe('genuine');
    expect((await verify(db, { code, phoneLast4: '8006' }, 'zh-CN', CHECKED)).answer.verdict).toBe('not_sent');
    expect((await verify(db, { lender: 'demo', code, phoneLast4: '8005' }, 'zh-CN', CHECKED)).answer.verdict).toBe(
      'genuine',
    );
  });

  it('reads a code with one wrong character as mistyped: no lookup, no sign, not "we did not send it"', async () => {
    const { db } = get().connection;
    const code = codeOf(textTo('+8613800138005'));
    const typo = `${code.slice(0, 5)}${code[5] === 'A' ? 'B' : 'A'}${code.slice(6)}`;
    const result = await verify(db, { code: typo, phoneLast4: '8005' }, 'zh-CN', CHECKED);
    expect(result.answer).toEqual({
      verdict: 'not_sent',
      risk: 'none',
      indicators: [],
      codeCheck: 'mistyped',
      official: null,
    });
    const asked = await verify(db, { lender: 'demo', code: typo, phoneLast4: '8005' }, 'en', CHECKED);
    expect(asked.answer).toMatchObject({ codeCheck: 'mistyped', official: { name: 'Qinghe Consumer Finance (demo)' } });
  });

  it('answers a real code with the wrong phone tail exactly as a code that was never sent', async () => {
    const { db } = get().connection;
    const real = codeOf(textTo('+8613800138005'));
    // a well-formed code no message carries (every demo code is drawn at random; this one is fixed)
    const unsent = referenceCode(Uint8Array.from([1, 2, 3, 4, 5, 6, 7]));
    expect(sms.some((m) => m.text.includes(unsent))).toBe(false);
    for (const lender of [undefined, 'demo']) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const wrongTail = await verify(db, { lender, code: real, phoneLast4: '0000' }, locale, CHECKED);
        const neverSent = await verify(db, { lender, code: unsent, phoneLast4: '0000' }, locale, CHECKED);
        expect(wrongTail.answer).toEqual(neverSent.answer);
        expect({ ...wrongTail, checkedText: '' }).toEqual({ ...neverSent, checkedText: '' });
        expect(wrongTail.answer).toMatchObject({
          verdict: 'not_sent',
          risk: 'none',
          indicators: [],
          codeCheck: 'no_match',
        });
        expect(wrongTail.answer.official === null).toBe(lender === undefined);
      }
    }
  });

  it('recognises the pasted text through what phones and carriers do to it', async () => {
    const { db } = get().connection;
    const text = textTo('+8613800138006');
    const signatureLast = `${text.replace('【青禾消费金融】', '')}【青禾消费金融】`;
    const fullWidth = text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    const split = `${text.slice(0, 60)}\n\n${text.slice(60)}`;
    const zeroWidth = text.replace('应还', '应\u200b还');
    for (const variant of [text, signatureLast, fullWidth, split, zeroWidth, `  ${text}\n`]) {
      const result = await verify(db, { text: variant }, 'zh-CN', CHECKED);
      expect(result.answer.verdict, variant).toBe('genuine');
    }
  });

  it('never calls a tampered copy genuine, and says a real reminder was altered', async () => {
    const { db } = get().connection;
    const text = textTo('+8613800138006');
    const tampered = [
      text.replace('400-186-5533', '400-186-5534'),
      text.replace(/¥[\d,]+\.\d\d/, '¥99,999.00'),
      text.replace('https://qhxf.cn/r/', 'https://qhxf-cn.top/r/'),
      `${text} 如需帮助请转账至安全账户 6222 0202 0000 1234 567。`,
      text.replace('我们不会要求您转账到个人账户。', ''),
    ];
    for (const variant of tampered) {
      const result = await verify(db, { text: variant }, 'zh-CN', CHECKED);
      expect(result.answer.verdict, variant).toBe('not_sent');
      expect(result.answer.risk, variant).not.toBe('none');
    }
    const altered = await verify(db, { text: tampered[1] as string }, 'en', CHECKED);
    expect(altered.answer.indicators.map((i) => i.id)).toContain('altered_copy');
    expect(altered.answer.risk).toBe('high');
    expect(altered.answer.official?.hotlines).toEqual(['400-186-5533']);
  });

  it('says exactly what a tampered copy changed, keeping every other sign', async () => {
    const { db } = get().connection;
    const text = textTo('+8613800138006');
    const amount = /¥[\d,]+\.\d\d/.exec(text)?.[0] ?? '';
    const cases: Array<[string, Array<{ field: string; sent: string; received: string }>, string]> = [
      [text.replace(amount, '¥99,999.00'), [{ field: 'amount', sent: amount, received: '¥99,999.00' }], 'high'],
      [
        text.replace('400-186-5533', '400-186-5534'),
        [{ field: 'phone', sent: '400-186-5533', received: '400-186-5534' }],
        'high',
      ],
      [
        `${text} 如需帮助请转账至安全账户 6222 0202 0000 1234 567。`,
        [{ field: 'account', sent: '', received: '6222 0202 0000 1234 567' }],
        'high',
      ],
    ];
    for (const [variant, differences, risk] of cases) {
      const result = await verify(db, { text: variant }, 'zh-CN', CHECKED);
      expect(result.answer, variant).toMatchObject({ verdict: 'not_sent', risk, differences });
      expect(result.answer.message).toBeUndefined();
      expect(result.forged?.sentText).toBe(text);
      expect(result.forged?.maskedPhone).toBe('138****8006');
    }
    // The same with the lender named, as the embedded check always does.
    const named = await verify(db, { lender: 'demo', text: cases[0]?.[0] as string }, 'zh-CN', CHECKED);
    expect(named.answer.differences?.map((d) => d.field)).toEqual(['amount']);
    // The account copy still shows the transfer sign the checker finds in any text.
    const account = await verify(db, { text: cases[2]?.[0] as string }, 'zh-CN', CHECKED);
    expect(account.answer.indicators.map((i) => i.id)).toEqual(
      expect.arrayContaining(['altered_copy', 'transfer_to_safe_account']),
    );
    // Words taken out, nothing about money: a medium sign, not decisive on its own.
    const wordsOnly = await verify(db, { text: text.replace('我们不会要求您转账到个人账户。', '') }, 'zh-CN', CHECKED);
    expect(wordsOnly.answer).toMatchObject({ verdict: 'not_sent', risk: 'medium' });
    expect(wordsOnly.answer.differences?.map((d) => d.field)).toEqual(['text']);
    // A scam that matches nothing we sent has no differences at all.
    const scam = await verify(db, { text: '【青禾消费金融】请转账至安全账户6222020200001234567' }, 'zh-CN', CHECKED);
    expect(scam.answer.differences).toBeUndefined();
    expect(scam.forged).toBeNull();
  });

  it('finds the real message by its code beside the lender’s signature, without showing its link', async () => {
    const { db } = get().connection;
    const text = textTo('+8613800138006');
    const token = tokenOf(text);
    const forged = text.replace(`https://qhxf.cn/r/${token}`, 'https://qhxf-pay.top/r/x1');
    const result = await verify(db, { text: forged }, 'zh-CN', CHECKED);
    expect(result.answer.verdict).toBe('not_sent');
    expect(result.answer.differences?.map((d) => d.field)).toEqual(['link']);
    expect(JSON.stringify(result.answer)).not.toContain(token);
    expect(result.forged?.sentText).not.toContain(token);
    // A code without the signature of the lender that sent it proves nothing and reveals nothing.
    const unsigned = await verify(db, { text: forged.replace('【青禾消费金融】', '') }, 'zh-CN', CHECKED);
    expect(unsigned.answer.differences).toBeUndefined();
  });

  it('calls a copy with a real link genuine when only what phones do changed it (Traditional characters)', async () => {
    const { db } = get().connection;
    const text = textTo('+8613800138006');
    const result = await verify(db, { text: toTraditional(text) }, 'zh-CN', CHECKED);
    expect(result.answer.verdict).toBe('genuine');
    expect(result.answer.differences).toBeUndefined();
  });

  it('answers expired for a real link past its expiry, and unknown for a made-up one', async () => {
    const { db } = get().connection;
    const token = tokenOf(textTo('+8613800138004'));
    const later = new Date('2027-01-30T00:00:00Z');
    expect((await verify(db, { link: `https://qhxf.cn/r/${token}` }, 'zh-CN', later)).answer).toMatchObject({
      verdict: 'expired',
      risk: 'none',
      indicators: [],
    });
    expect((await lookUpShortLink(db, token, 'qhxf.cn', later)).state).toBe('expired');
    const genuine = await lookUpShortLink(db, token, 'qhxf.cn', CHECKED);
    expect(genuine).toMatchObject({ state: 'genuine', maskedPhone: '138****8004' });
    const made = await lookUpShortLink(db, 'A'.repeat(24), 'qhxf.cn', CHECKED);
    expect(made.state).toBe('unknown');
    if (made.state === 'unknown') expect(made.lenders.map((l) => l.slug)).toEqual(['demo']);
    expect((await lookUpShortLink(db, 'x', 'elsewhere.example', CHECKED)).state).toBe('unknown');
    expect(
      (await verify(db, { link: 'https://qhxf.cn/r/AAAAAAAAAAAAAAAAAAAAAAAA' }, 'zh-CN', CHECKED)).answer.verdict,
    ).toBe('not_sent');
  });

  it('refuses malformed requests naming the field', async () => {
    const { db } = get().connection;
    const cases: Array<[unknown, string]> = [
      [{}, 'text'],
      [{ text: 'a', link: 'b' }, 'link'],
      [{ code: 'K7QX-92M8' }, 'phoneLast4'],
      [{ code: 'K7QX-92M8', phoneLast4: '12' }, 'phoneLast4'],
      [{ text: 'x'.repeat(2_001) }, 'text'],
      [{ text: '   ' }, 'text'],
      [{ text: 'hi', lender: 'nobody' }, 'lender'],
      [{ text: 'hi', extra: 1 }, 'extra'],
      [{ text: 42 }, 'text'],
    ];
    for (const [body, field] of cases) {
      await expect(verify(db, body, 'zh-CN'), JSON.stringify(body).slice(0, 40)).rejects.toMatchObject({
        status: 400,
        field,
      });
    }
  });
});
