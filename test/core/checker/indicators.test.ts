import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import { INDICATORS } from '../../../src/core/checker/indicators.ts';
import type { Indicator } from '../../../src/core/checker/types.ts';
import { SCAMS } from './corpus.ts';
import { DEMO, LENDERS } from './fixtures.ts';

interface Case {
  text: string;
  /** The suspicious part as it appears in the original text (the first span). */
  found?: string;
  severity?: Indicator['severity'];
  decisive?: boolean;
}

/** For every indicator: texts that must show it, and texts that must not. */
const CASES: Record<string, { positive: Case[]; negative: string[] }> = {
  lookalike_domain: {
    positive: [
      { text: '【青禾消费金融】请登录 qinghe-xf.top 还款', found: 'qinghe-xf.top', decisive: true },
      { text: '【青禾消费金融】核实：https://qhxf.co/r/abc', found: 'qhxf.co', decisive: true },
      { text: 'Pay at qlnghe-xf.cn now', found: 'qlnghe-xf.cn', decisive: true },
    ],
    negative: [
      '【青禾消费金融】请登录 qinghe-xf.cn 还款',
      '【青禾消费金融】请打开 app.qinghe-xf.cn',
      '【青禾消费金融】核实：https://qhxf.cn/r/q7Xk2mPvRtWyBnCdFhJsLaEu',
    ],
  },
  official_as_subdomain: {
    positive: [
      { text: '【青禾消费金融】请访问 qinghe-xf.cn.evil.top/pay', found: 'qinghe-xf.cn.evil.top', decisive: true },
      { text: 'Log in at http://qinghe-xf.cn-secure.com', found: 'qinghe-xf.cn-secure.com' },
      { text: '点击 https://qinghe-xf.cn@pay-qh.top/login', found: 'qinghe-xf.cn@pay-qh.top' },
    ],
    negative: ['【青禾消费金融】请打开 https://app.qinghe-xf.cn/repay'],
  },
  brand_in_foreign_domain: {
    positive: [
      { text: '【青禾消费金融】退款请访问 qinghe-refund.com', found: 'qinghe-refund.com', decisive: true },
      { text: 'Apply at qhxf-loan.vip today', found: 'qhxf-loan.vip' },
    ],
    negative: ['【青禾消费金融】详见 baidu.com', '【青禾消费金融】请访问 qinghe-xf.cn'],
  },
  non_official_domain: {
    positive: [
      { text: '【青禾消费金融】还款请访问 pay-center.com.cn', found: 'pay-center.com.cn', severity: 'medium' },
      { text: 'Your Qinghe loan: pay at example.org', found: 'example.org' },
    ],
    negative: ['See example.org for the weather', '【青禾消费金融】请访问 qinghe-xf.cn/repay'],
  },
  url_shortener: {
    positive: [
      { text: '【青禾消费金融】请点击 t.cn/A6xYz 处理', found: 't.cn', severity: 'medium' },
      { text: 'Update your details at https://bit.ly/qh-pay', found: 'bit.ly' },
    ],
    negative: ['【青禾消费金融】核实：https://qhxf.cn/r/q7Xk2mPvRtWyBnCdFhJsLaEu'],
  },
  raw_ip_link: {
    positive: [
      {
        text: '【青禾消费金融】请登录 http://47.96.12.8:8080/pay',
        found: '47.96.12.8',
        severity: 'high',
        decisive: true,
      },
      { text: 'Download from 198.51.100.23/qinghe.apk', found: '198.51.100.23' },
    ],
    negative: ['版本 1.2.3 已发布', '【青禾消费金融】请访问 qinghe-xf.cn'],
  },
  risky_tld: {
    positive: [
      { text: '请访问 pay-loan.xyz 还款', found: 'pay-loan.xyz', severity: 'medium' },
      { text: 'Visit help-desk.top', found: 'help-desk.top' },
    ],
    negative: ['请访问 pay-loan.com 还款', '【青禾消费金融】请访问 qinghe-xf.cn'],
  },
  non_official_number: {
    positive: [
      { text: '【青禾消费金融】客服400-820-1234', found: '400-820-1234', severity: 'medium', decisive: false },
      // One keystroke from the published 400-186-5533: a look-alike of the official hotline.
      { text: '【青禾消费金融】客服 400-186-5353', found: '400-186-5353', severity: 'high', decisive: true },
      { text: '请致电官方客服热线 400-186-5583', found: '400-186-5583', decisive: true },
      { text: '【青禾消费金融】请致电 021-6188 3721', found: '021-6188 3721' },
      { text: 'Qinghe Finance: call 95011 now', found: '95011' },
    ],
    negative: [
      '【青禾消费金融】客服400-186-5533',
      '如遇诈骗请拨打反诈专线96110',
      '【青禾消费金融】客服 +86 400 186 5533',
    ],
  },
  personal_mobile_contact: {
    positive: [
      // Given as the lender's (or a collector's, an officer's) number: decisive.
      { text: '【青禾消费金融】请联系专员13812345678', found: '13812345678', severity: 'high', decisive: true },
      { text: 'Call our agent on +86 139 0011 2233', found: '+86 139 0011 2233', decisive: true },
      { text: '请联系书记员 152 1098 7765 处理', found: '152 1098 7765', decisive: true },
      // Just a number, given as nobody's in particular.
      { text: '我换号了，新号码13812345678，有空聊', found: '13812345678', severity: 'medium', decisive: false },
    ],
    negative: ['【青禾消费金融】您尾号5678的手机', '【青禾消费金融】您的手机138****5678已登记'],
  },
  overseas_number: {
    positive: [
      { text: '【青禾消费金融】请致电 +852 6123 4567', found: '+852 6123 4567', severity: 'high', decisive: true },
      { text: '请拨打 +855 23 456 789 联系承办检察官', found: '+855 23 456 789', decisive: true },
      { text: 'Call +1 (646) 555-0199 immediately', found: '+1 (646) 555-0199', severity: 'medium', decisive: false },
    ],
    negative: ['【青禾消费金融】请致电 +86 400 186 5533'],
  },
  chat_app_move: {
    positive: [
      { text: '【青禾消费金融】详询请加微信 qh5533', found: '加微信', severity: 'medium' },
      { text: '请添加客服QQ 2881930452', found: 'QQ' },
      { text: 'Contact our agent on WhatsApp', found: 'WhatsApp' },
      { text: 'Add me on Telegram @qh_recovery', found: 'Telegram' },
      { text: '领取请加v：qh88998', found: '加v' },
      { text: '详询V❤信 qh888', found: 'V❤信' },
      { text: '请下载✈️纸飞机联系专员', found: '✈' },
      { text: '請加LINE：@qh5533', found: '加LINE' },
    ],
    negative: ['【青禾消费金融】请通过青禾微信小程序还款', 'Your loan is due on 9 Nov'],
  },
  asks_for_code: {
    positive: [
      { text: '【青禾消费金融】请把验证码告诉客服', found: '验证码', decisive: true },
      { text: '【青禾消費金融】請回覆驗證碼', found: '驗證碼' },
      { text: 'Reply with the verification code we just sent', found: 'verification code' },
      { text: 'Send the 6-digit code from your SMS to our agent', found: 'Send the 6-digit code' },
      { text: '请把手机收到的验证ma发给客服', found: '验证ma' },
      { text: '请把y z m报给专员', found: 'y z m' },
      { text: 'Reply with the v\u0435rific\u0430ti\u043en c\u043ede', found: 'v\u0435rific\u0430ti\u043en c\u043ede' },
      { text: '请勿告诉他人，您的验证码为482913，稍后请报给专员', found: '验证码' },
    ],
    negative: [
      '【青禾消费金融】您的验证码为482913，5分钟内有效，请勿告诉他人。',
      '我们不会向您索要验证码',
      'Your code is 482913. Do not share it with anyone.',
      '【青禾消费金融】查询码K7QX-92M8',
      '请回复身份证号码完成激活',
    ],
  },
  asks_for_password_or_id: {
    positive: [
      { text: '【青禾消费金融】请回复银行卡密码', found: '密码', decisive: true, severity: 'high' },
      { text: '请提供卡背面三位数字', found: '卡背面', decisive: true },
      // Asked for: decisive.
      { text: '请提供身份证号', found: '身份证号', decisive: true, severity: 'high' },
      { text: '请将身份证号发给专员', found: '身份证号', decisive: true },
      { text: '請提供身分證字號核對', found: '身分證字號', decisive: true },
      { text: '请发sfz正反面和yhk号给专员', found: 'sfz', decisive: true },
      { text: 'Reply with your PIN to confirm', found: 'PIN', decisive: true },
      { text: 'Please provide your card number', found: 'card number', severity: 'high', decisive: true },
      // Named in the story but not asked for: a medium sign.
      { text: '因银行卡号填写错误导致资金冻结', found: '银行卡号', decisive: false, severity: 'medium' },
      { text: '请携带身份证原件到营业厅办理', found: '身份证', decisive: false, severity: 'medium' },
      { text: '请完成人脸识别', found: '人脸识别', decisive: false, severity: 'medium' },
    ],
    negative: ['我们不会索要您的密码', 'We will never ask for your password', '【青禾消费金融】您的借款已结清'],
  },
  transfer_to_safe_account: {
    positive: [
      { text: '【青禾消费金融】请将资金转入安全账户', found: '安全账户', decisive: true },
      { text: '【青禾消費金融】請匯款至指定帳戶', found: '匯款至指定帳戶' },
      { text: '还款请转账至个人账户 6217 0012 3456 7891', found: '转账至个人账户' },
      { text: '请将欠款转到专员的个人支付宝', found: '转到专员的个人支付宝' },
      { text: '请转账至 6222 0212 3456 7890 123', found: '转账至 6222 0212 3456 7890 123' },
      { text: 'Move your funds to a secure holding account now', found: 'Move your funds to a secure holding account' },
      {
        text: 'transfer CNY 3,000 to account 6222 0212 3456 7890',
        found: 'transfer CNY 3,000 to account 6222 0212 3456 7890',
      },
      // The verb nearest the account is where the request starts.
      {
        text: '欠款已转入我司，请转账至委托账户 6228 4800 1234 5678 910',
        found: '转账至委托账户 6228 4800 1234 5678 910',
      },
      { text: '请立刻转到zfb账号 qh2026', found: '转到zfb账号' },
      // Paying by scanning a code: nobody can see whose account it is.
      { text: '【青禾消费金融】请扫描下方二维码还款', found: '扫描下方二维码还款' },
      { text: '请扫码支付逾期罚息500元', found: '扫码支付' },
      { text: '添加客服微信后扫收款码还款', found: '扫收款码还款' },
      {
        text: 'Scan the QR code in the attached image to repay your balance',
        found: 'Scan the QR code in the attached image to repay',
      },
    ],
    negative: [
      '【青禾消费金融】我们不会要求您转账到个人账户。',
      'We never ask for transfers to personal accounts.',
      '公检法机关没有所谓安全账户',
      '请转账至对公账户 1219 0866 5510 001',
      '请扫描二维码填写银行卡号和支付密码',
      '请通过青禾金融 App「我的借款」还款',
    ],
  },
  screen_sharing: {
    positive: [
      { text: '【青禾消费金融】请开启屏幕共享', found: '屏幕共享', decisive: true },
      { text: '请下载腾讯会议，会议号 836 227 419', found: '腾讯会议' },
      { text: '登录后输入会议码与专员视频沟通', found: '会议码' },
      { text: '请下载“会议宝”App加入会议', found: '加入会议' },
      { text: '请进入 Z00M 会议', found: 'Z00M' },
      { text: '請開啟螢幕分享', found: '螢幕分享' },
      { text: 'Please install AnyDesk', found: 'AnyDesk' },
      { text: 'Join the call and share your screen', found: 'share your screen' },
    ],
    negative: ['切勿与陌生人共享屏幕', 'Never share your screen with anyone'],
  },
  app_download: {
    positive: [
      { text: '【青禾消费金融】请下载安装“青禾优享”APP', found: '下载安装“青禾优享”APP', severity: 'medium' },
      { text: '请扫描二维码领取', found: '扫描二维码' },
      { text: 'Download our new app to continue', found: 'Download our new app' },
    ],
    negative: ['【青禾消费金融】请通过青禾金融 App「我的借款」还款', 'Repay via the Qinghe app (My loans).'],
  },
  unfreeze_or_release_fee: {
    positive: [
      // A fee to unfreeze, release, cancel or repair anything: decisive.
      { text: '【青禾消费金融】需缴纳解冻费1000元', found: '解冻费', severity: 'high', decisive: true },
      { text: '需先刷流水5000元才能放款', found: '刷流水', decisive: true },
      { text: '支付手续费后即可放款', found: '支付手续费后即可放款', decisive: true },
      { text: '撤案需先缴纳诉讼保全费3000元', found: '保全费', decisive: true },
      { text: '我司可帮您修复征信，仅需支付服务费680元', found: '修复征信，仅需支付服务费', decisive: true },
      { text: '需要缴纳5000元验证还款能力', found: '验证还款能力', decisive: true },
      { text: 'Pay a processing fee of CNY 800 first', found: 'processing fee', decisive: true },
      { text: 'Your credit score can be repaired for a small fee', found: 'repaired for a small fee', decisive: true },
      { text: 'Pay the unfr33ze fee now', found: 'unfr33ze fee', decisive: true },
      // The story before the fee: medium.
      { text: '您的账户已被冻结', found: '账户已被冻结', severity: 'medium', decisive: false },
      { text: 'Your loan account has been frozen', found: 'account has been frozen', decisive: false },
    ],
    negative: ['提前还款无需手续费', '【青禾消费金融】您的借款已结清', '如需取消自动扣款，无需支付任何费用'],
  },
  cancel_account_pretext: {
    positive: [
      { text: '【青禾消费金融】您的校园贷账户需要注销', found: '校园贷', severity: 'medium' },
      { text: '每月将自动扣费800元', found: '每月将自动扣费' },
      { text: '您的帐户存在异常，请尽速处理', found: '帐户存在异常' },
      { text: 'We detected unusual activity on your account', found: 'unusual activity' },
      { text: 'Your student loan account must be closed', found: 'student loan account' },
    ],
    negative: ['【青禾消费金融】您的借款已结清'],
  },
  credit_record_pretext: {
    positive: [
      { text: '逾期将影响您的征信', found: '征信', severity: 'medium' },
      { text: 'Your credit record will be affected', found: 'credit record' },
    ],
    negative: ['【青禾消费金融】您的借款已结清'],
  },
  rate_cut_pretext: {
    positive: [
      { text: '【青禾消费金融】可为您办理降息', found: '降息', severity: 'medium' },
      { text: '您的额度已提升至5万', found: '额度已提升' },
      { text: 'You qualify for a lower interest rate', found: 'lower interest rate' },
      { text: '我们将为您办理双倍理赔', found: '理赔' },
      { text: 'A refund of CNY 356 is waiting for you', found: 'refund' },
      { text: '您获得一笔5万元备用金', found: '备用金' },
      { text: '如需停息挂账请联系专员', found: '停息挂账' },
      { text: 'Your credit limit has been raised to CNY 80,000', found: 'limit has been raised' },
    ],
    negative: ['如有困难可申请延期或分期', 'Repay via the app or ask us for more time.'],
  },
  legal_threat: {
    positive: [
      { text: '逾期将起诉并上门催收', found: '起诉', severity: 'medium' },
      { text: '将通知您的家人和单位', found: '通知您的家人' },
      { text: 'We will file a lawsuit', found: 'lawsuit' },
      { text: '您的欠款已转入我司催收', found: '催收' },
      { text: 'Our field agents will visit your workplace', found: 'field agents' },
    ],
    negative: ['【青禾消费金融】请通过App还款或致电客服协商'],
  },
  urgency: {
    positive: [
      { text: '请立即处理', found: '立即', severity: 'low' },
      { text: '请在24小时内处理', found: '24小时内', severity: 'medium' },
      { text: 'Pay within 24 hours', found: 'within 24 hours', severity: 'medium' },
    ],
    negative: [
      '【青禾消费金融】重要提醒：您的借款已逾期45天',
      'Important: your loan is 45 days overdue',
      '【青禾消费金融】您的验证码为482913，5分钟内有效',
    ],
  },
  signature_mismatch: {
    positive: [
      { text: '【青禾金融】您的借款已逾期', found: '【青禾金融】', severity: 'medium' },
      { text: '青禾金融提醒您：借款已逾期', found: '青禾' },
      { text: '【招商银行】您的青禾借款已逾期，请访问 qinghe-xf.cn', found: '【招商银行】' },
      { text: 'Qinghe Finance: your loan is overdue', found: 'Qinghe' },
    ],
    negative: [
      '【青禾消费金融】您的借款已逾期',
      '您的借款已逾期，请通过官方App还款。【青禾消费金融】',
      '【青禾消费金融】Your Qinghe loan is overdue',
      'Your ID is qinghexyz, unrelated to any lender',
    ],
  },
  obfuscation: {
    positive: [
      { text: '请把 验 证 码 发给专员', found: '验 证 码', severity: 'medium' },
      { text: '资金转入 安*全*账*户', found: '安*全*账*户' },
      { text: '请登录 qinghe-xf点top 还款', found: 'qinghe-xf点top' },
      { text: '请将资金转入安🔒全🔒账🔒户', found: '安🔒全🔒账🔒户' },
      { text: 'Reply with the v\u0435rific\u0430ti\u043en c\u043ede', found: 'v\u0435rific\u0430ti\u043en c\u043ede' },
      { text: 'Your l0an is fr0zen', found: 'l0an is fr0zen' },
    ],
    negative: [
      '请把验证码发给专员',
      '您好 请还款',
      '【青禾消费金融】请登录 qinghe-xf.cn 还款',
      'Pay within 24hours, ref qh5533',
    ],
  },
};

describe('indicators', () => {
  it('has a positive and a negative case for every indicator', () => {
    expect(Object.keys(CASES).sort()).toEqual(INDICATORS.map((d) => d.id).sort());
    for (const { positive, negative } of Object.values(CASES)) {
      expect(positive.length).toBeGreaterThan(0);
      expect(negative.length).toBeGreaterThan(0);
    }
  });

  it('every indicator explains itself in both languages, and decisive ones are high', () => {
    for (const d of INDICATORS) {
      expect(d.explanation['zh-CN'].length).toBeGreaterThan(10);
      expect(d.explanation.en.length).toBeGreaterThan(10);
      if (d.decisive) expect(d.severity).toBe('high');
    }
  });

  for (const [id, { positive, negative }] of Object.entries(CASES)) {
    describe(id, () => {
      for (const c of positive) {
        it(`finds it in ${JSON.stringify(c.text)}`, () => {
          const result = checkText(c.text, LENDERS);
          const found = result.indicators.filter((i) => i.id === id);
          expect(found.length, JSON.stringify(result.indicators.map((i) => [i.id, i.evidence]))).toBeGreaterThan(0);
          const spansText = found.flatMap((i) => i.spans.map((s) => c.text.slice(s.start, s.end)));
          if (c.found !== undefined) expect(spansText).toContain(c.found);
          const indicator =
            c.found === undefined
              ? found[0]
              : found.find((i) => i.spans.some((s) => c.text.slice(s.start, s.end) === c.found));
          if (c.severity) expect(indicator?.severity).toBe(c.severity);
          if (c.decisive !== undefined) expect(indicator?.decisive).toBe(c.decisive);
          if (indicator?.decisive || indicator?.severity === 'high') expect(result.risk).toBe('high');
        });
      }
      for (const text of negative) {
        it(`does not find it in ${JSON.stringify(text)}`, () => {
          const ids = checkText(text, LENDERS).indicators.map((i) => i.id);
          expect(ids).not.toContain(id);
        });
      }
    });
  }
});

describe('published accounts', () => {
  it("a transfer to one of the lender's published accounts is not a sign; to any other account it is", () => {
    const withAccount = { ...DEMO, accounts: ['1219 0866 5510 001'] };
    expect(checkText('【青禾消费金融】请转账至 1219 0866 5510 001', [withAccount]).indicators).toEqual([]);
    const other = checkText('【青禾消费金融】请转账至 6222 0212 3456 7890 123', [withAccount]);
    expect(other.indicators.map((i) => i.id)).toEqual(['transfer_to_safe_account']);
  });
});

describe('claimed lender', () => {
  it('is the one the reader names, else the one the signature, domain, brand or hotline points to', () => {
    expect(checkText('您的借款已逾期', LENDERS, { lender: 'anxin' }).claimedLender).toBe('anxin');
    expect(checkText('【安信消费金融】您的借款已逾期', LENDERS).claimedLender).toBe('anxin');
    expect(checkText('【青禾金融】您的借款已逾期', LENDERS).claimedLender).toBe('demo');
    expect(checkText('请登录 qinghe-xf.top 还款', LENDERS).claimedLender).toBe('demo');
    expect(checkText('Your Qinghe loan is overdue', LENDERS).claimedLender).toBe('demo');
    expect(checkText('请致电 400-186-5533', LENDERS).claimedLender).toBe('demo');
    expect(checkText('您的借款已逾期', LENDERS).claimedLender).toBeNull();
  });

  it("judges links and numbers against the claimed lender's contacts only", () => {
    // Anxin's own domain and hotline are not the demo lender's.
    const result = checkText('【青禾消费金融】请访问 anxin-cf.com 或致电 95123', LENDERS);
    expect(result.indicators.map((i) => i.id)).toEqual(
      expect.arrayContaining(['non_official_domain', 'non_official_number']),
    );
    expect(checkText('【安信消费金融】请访问 anxin-cf.com 或致电 95123', LENDERS).indicators).toEqual([]);
  });

  it("counts a lender's site on a shared host as its own, but not its neighbours' sites", () => {
    const hosted = { ...DEMO, domains: ['qinghe.github.io'] };
    expect(checkText('【青禾消费金融】请访问 https://qinghe.github.io/repay', [hosted]).indicators).toEqual([]);
    const neighbour = checkText('【青禾消费金融】请访问 https://pay-now.github.io/repay', [hosted]);
    expect(neighbour.indicators.map((i) => i.id)).toEqual(['non_official_domain']);
  });

  it('names the official contacts in the explanation', () => {
    const [lookalike] = checkText('【青禾消费金融】请登录 qinghe-xf.top', [DEMO]).indicators;
    expect(lookalike?.explanation['zh-CN']).toContain('qinghe-xf.cn');
    const number = checkText('【青禾消费金融】客服400-820-1234', [DEMO]).indicators.find(
      (i) => i.id === 'non_official_number',
    );
    expect(number?.explanation.en).toContain('400-186-5533');
  });
});

describe('risk', () => {
  it('is high with a decisive sign, medium with a medium one, low with only low ones, none without signs (tables in risk.test.ts)', () => {
    expect(checkText('请将资金转入安全账户', LENDERS).risk).toBe('high');
    expect(checkText('请加微信 qh5533', LENDERS).risk).toBe('medium');
    expect(checkText('请立即处理', LENDERS).risk).toBe('low');
    expect(checkText('您好，今天天气不错。', LENDERS).risk).toBe('none');
  });

  it('groups repeated evidence into one indicator with every place marked', () => {
    const text = '请注销校园贷，注销后请再次确认注销';
    const [indicator] = checkText(text, LENDERS).indicators.filter((i) => i.id === 'cancel_account_pretext');
    expect(indicator?.evidence).toBe('注销');
    expect(indicator?.spans.map((s) => text.slice(s.start, s.end))).toEqual(['注销', '校园贷', '注销', '注销']);
  });
});

describe('the explanations address the reader as 您, and write one apostrophe', () => {
  it('never says 你 in a Chinese explanation of any sign the corpus raises', () => {
    const seen = new Set<string>();
    for (const sample of SCAMS) {
      for (const indicator of checkText(sample.text, LENDERS).indicators) {
        seen.add(indicator.id);
        expect(indicator.explanation['zh-CN'], indicator.id).not.toContain('你');
        // One apostrophe style in English, as on every page: ’ (never a typewriter ').
        expect(indicator.explanation.en, indicator.id).not.toMatch(/[A-Za-z]'[a-z]/);
      }
    }
    // The corpus raises nearly every sign, so this reads nearly every explanation.
    expect(seen.size).toBeGreaterThanOrEqual(20);
  });
});
