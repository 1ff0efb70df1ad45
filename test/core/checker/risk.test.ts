import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import { INDICATORS } from '../../../src/core/checker/indicators.ts';
import { REPORTED_SCAM } from '../../../src/core/checker/reported.ts';
import { FAMILY_OF, familyOf, type RiskInput, riskOf } from '../../../src/core/checker/risk.ts';
import type { Risk, Severity } from '../../../src/core/checker/types.ts';
import { LENDERS } from './fixtures.ts';

const sign = (id: string, severity: Severity, decisive = false): RiskInput => ({ id, severity, decisive });

describe('families', () => {
  it('gives every indicator the checker and the verification service produce a family', () => {
    for (const { id } of [...INDICATORS, REPORTED_SCAM]) expect(FAMILY_OF[id], id).toBeDefined();
    expect(FAMILY_OF.altered_copy).toBe('sender');
  });

  it('treats an id it does not know as a family of its own', () => {
    expect(familyOf('something_new')).toBe('other:something_new');
    expect(familyOf('something_new')).not.toBe(familyOf('something_else'));
  });
});

/** The model on its own: sign lists at each boundary, and the risk they must give. */
const MODEL: Array<[string, RiskInput[], Risk]> = [
  ['no sign', [], 'none'],
  // Low stays low.
  ['one low sign', [sign('urgency', 'low')], 'low'],
  ['the same low sign repeated', [sign('urgency', 'low'), sign('urgency', 'low')], 'low'],
  // One family is one piece of evidence, however many signs it shows.
  ['one medium sign', [sign('legal_threat', 'medium')], 'medium'],
  [
    'the same medium sign twice (two entries, one id)',
    [sign('chat_app_move', 'medium'), sign('chat_app_move', 'medium')],
    'medium',
  ],
  [
    'three pressure signs: threat, credit record, deadline',
    [sign('legal_threat', 'medium'), sign('credit_record_pretext', 'medium'), sign('urgency', 'medium')],
    'medium',
  ],
  [
    'three signs of one bad link',
    [sign('non_official_domain', 'medium'), sign('risky_tld', 'medium'), sign('url_shortener', 'medium')],
    'medium',
  ],
  ['two pretexts', [sign('cancel_account_pretext', 'medium'), sign('rate_cut_pretext', 'medium')], 'medium'],
  // A low sign beside a medium one does not add a second piece of evidence.
  ['medium pretext and low urgency', [sign('rate_cut_pretext', 'medium'), sign('urgency', 'low')], 'medium'],
  ['medium channel and low urgency', [sign('personal_mobile_contact', 'medium'), sign('urgency', 'low')], 'medium'],
  // Two independent families add up.
  ['pretext and channel', [sign('rate_cut_pretext', 'medium'), sign('chat_app_move', 'medium')], 'high'],
  ['false sender and pressure', [sign('signature_mismatch', 'medium'), sign('legal_threat', 'medium')], 'high'],
  ['pressure and link', [sign('urgency', 'medium'), sign('url_shortener', 'medium')], 'high'],
  ['request and link', [sign('app_download', 'medium'), sign('raw_ip_link', 'medium')], 'high'],
  [
    'a sign the model does not know, beside a known one',
    [sign('something_new', 'medium'), sign('urgency', 'medium')],
    'high',
  ],
  ['a sign the model does not know, alone', [sign('something_new', 'medium')], 'medium'],
  // Decisive is high alone, and a high sign is high alone.
  ['a decisive sign alone', [sign('transfer_to_safe_account', 'high', true)], 'high'],
  ['a decisive sign beside a low one', [sign('screen_sharing', 'high', true), sign('urgency', 'low')], 'high'],
  ['a high sign that is not decisive', [sign('something_new', 'high')], 'high'],
  [
    'two reported items (two entries, one sign)',
    [sign('reported_scam', 'high', true), sign('reported_scam', 'high', true)],
    'high',
  ],
];

describe('riskOf', () => {
  for (const [name, signs, risk] of MODEL) {
    it(`${name} → ${risk}`, () => {
      expect(riskOf(signs)).toBe(risk);
      // Order never matters.
      expect(riskOf([...signs].reverse())).toBe(risk);
    });
  }
});

/** The same boundaries through the whole checker, on texts. */
const TEXTS: Array<[string, string, Risk]> = [
  ['a genuine reminder', '【青禾消费金融】您的借款应还¥3,082.50，还款日11月9日。客服400-186-5533', 'none'],
  ['low-only stays low', '请马上处理，尽快！', 'low'],
  [
    'one family: consequence and deadline',
    '【安信消费金融】您的借款已逾期，逾期将影响您的征信，请及时还款。',
    'medium',
  ],
  ['one family: a threat with a deadline', '【青禾消费金融】逾期将依法起诉，24小时内处理', 'medium'],
  ['one family: one bad link, several signs', '还款请访问 pay-loan.xyz', 'medium'],
  ['medium and a low from another family', '【青禾消费金融】您的额度已提升至5万，请马上查看', 'medium'],
  ['two families: lure and chat app', '【青禾消费金融】您的额度已提升至5万，请加微信 qh5533 领取', 'high'],
  ['two families: no signature and a threat', '青禾金融提醒：您已逾期，将依法起诉', 'high'],
  [
    'two families: a deadline and a shortener',
    'Update your details at bit.ly/qh-pay or your account will be frozen.',
    'high',
  ],
  // Not decisive: a number nobody claims, an identifier not asked for, a frozen account without a fee.
  ['a mobile given as nobody’s', '我换号了，新号码13812345678', 'medium'],
  ['an overseas number given as nobody’s', 'Call +1 (646) 555-0199', 'medium'],
  ['an ID mentioned, not asked for', '请携带身份证原件到营业厅办理', 'medium'],
  ['a frozen account, no fee', '您的账户已被冻结', 'medium'],
  ['a 400 number far from the hotline', '【青禾消费金融】客服400-820-1234', 'medium'],
];

/** Every decisive act, alone in a text: high, and the sign that names it is decisive. */
const DECISIVE: Array<[string, string, string]> = [
  ['money to a "safe" account', '请将资金转入安全账户', 'transfer_to_safe_account'],
  ['money to a personal account', '还款请转账至个人账户 6217 0012 3456 7891', 'transfer_to_safe_account'],
  ['money by QR code', '请扫码支付逾期罚息500元', 'transfer_to_safe_account'],
  ['a verification code', '请把验证码发给客服', 'asks_for_code'],
  ['a password', '请回复银行卡密码', 'asks_for_password_or_id'],
  ['an ID number', '请提供身份证号', 'asks_for_password_or_id'],
  ['a bank-card number', 'Please provide your card number', 'asks_for_password_or_id'],
  ['a fee to unfreeze', '需缴纳解冻费1000元', 'unfreeze_or_release_fee'],
  ['a fee to release a loan', '支付手续费后即可放款', 'unfreeze_or_release_fee'],
  ['a fee to cancel a case', '撤案需先缴纳诉讼保全费3000元', 'unfreeze_or_release_fee'],
  ['a fee to repair a credit record', '可帮您修复征信，仅需支付服务费680元', 'unfreeze_or_release_fee'],
  ['screen sharing', '请开启屏幕共享', 'screen_sharing'],
  ['a meeting app', '请下载腾讯会议，会议号 836 227 419', 'screen_sharing'],
  ['a raw IP link', '请登录 http://47.96.12.8/pay', 'raw_ip_link'],
  ['a look-alike domain', '请登录 qinghe-xf.top', 'lookalike_domain'],
  ['a personal mobile as the lender’s', '【青禾消费金融】请联系专员 13812345678', 'personal_mobile_contact'],
  ['an overseas number as the lender’s', '【青禾消费金融】请致电 +852 6123 4567', 'overseas_number'],
  ['a look-alike of the hotline', '【青禾消费金融】客服 400-186-5353', 'non_official_number'],
];

describe('checkText risk', () => {
  for (const [name, text, risk] of TEXTS) {
    it(`${name} → ${risk}`, () => {
      const result = checkText(text, LENDERS);
      expect(result.risk, JSON.stringify(result.indicators.map((i) => [i.id, i.severity]))).toBe(risk);
      expect(result.indicators.some((i) => i.decisive)).toBe(false);
      if (risk === 'none') expect(result.indicators).toEqual([]);
    });
  }

  for (const [name, text, id] of DECISIVE) {
    it(`${name} is high on its own`, () => {
      const result = checkText(text, LENDERS);
      expect(result.risk).toBe('high');
      const decisive = result.indicators.filter((i) => i.decisive);
      expect(decisive.map((i) => i.id)).toContain(id);
      for (const i of decisive) expect(i.severity).toBe('high');
    });
  }
});

describe('one sign, however often the text repeats it', () => {
  it('merges urgency of two strengths into one indicator at the stronger, marking every place', () => {
    const text = '请立即处理，否则24小时内冻结，马上回复';
    const urgency = checkText(text, LENDERS).indicators.filter((i) => i.id === 'urgency');
    expect(urgency).toHaveLength(1);
    const [only] = urgency;
    expect(only?.severity).toBe('medium');
    expect(only?.spans.map((s) => text.slice(s.start, s.end))).toEqual(['立即', '否则', '24小时内', '马上']);
    // The evidence is the first of the strongest pieces, and it is one of the marked places.
    expect(only?.evidence).toBe('否则');
  });

  it('merges a requested ID number and a mentioned card number into one decisive sign', () => {
    const text = '因卡号错误导致冻结，请提供身份证号核实';
    const signs = checkText(text, LENDERS).indicators.filter((i) => i.id === 'asks_for_password_or_id');
    expect(signs).toHaveLength(1);
    expect(signs[0]).toMatchObject({ severity: 'high', decisive: true, evidence: '身份证号' });
    expect(signs[0]?.spans.map((s) => text.slice(s.start, s.end))).toEqual(['卡号', '身份证号']);
  });

  it('keeps items that need their own words apart, and still counts the sign once', () => {
    const text = '【青禾消费金融】还款请访问 pay-loan.com.cn 或 repay-now.com.cn';
    const result = checkText(text, LENDERS);
    const domains = result.indicators.filter((i) => i.id === 'non_official_domain');
    expect(domains.map((i) => i.evidence)).toEqual(['pay-loan.com.cn', 'repay-now.com.cn']);
    expect(result.risk).toBe('medium');
  });

  it('never lists the same id twice with the same explanation', () => {
    const text = '立即！马上！尽快！否则起诉！24小时内！最后通知！';
    const { indicators } = checkText(text, LENDERS);
    const keys = indicators.map((i) => `${i.id}|${i.explanation['zh-CN']}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
