import { type ScamSample, s } from './corpus-sample.ts';

/**
 * Scams written after the checker's rules were settled and checked once, untouched, to see how the
 * rules do on texts they were not tuned on (README-risk-model.md reports that first run). Labelled
 * by the same rule as the rest of the corpus.
 */
export const HELD_OUT_SCAMS: ScamSample[] = [
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您好，您的学生贷款记录尚未清除，按规定需今天处理，请拨打专线 0571-8765 4321 联系。',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的账户已被风控，请将余额转入保护账户，24小时后自动解除。',
    'transfer_to_safe_account',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】尊敬的客户，请告知您收到的6位数字，以便我们为您办理退息。', 'asks_for_code'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款审批已通过，但需支付800元手续费才能到账，请联系客服。',
    'unfreeze_or_release_fee',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】为核实身份，请打开飞书会议，会议号 992 113 445。', 'screen_sharing'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】还款请登录 https://qinghe-xf.net/pay ，逾期将产生高额罚息。',
    'lookalike_domain',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】您的征信即将上报，请添加专属客服企业微信处理，逾期后果自负。'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的逾期记录可一次性消除，工本费300元，详询 137 2288 9911。',
    'unfreeze_or_release_fee',
    'personal_mobile_contact',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您有一笔理赔款待领取，请点击 http://120.55.13.201/lp 填写信息。',
    'raw_ip_link',
  ),
  s('zh-Hans', 'medium', '【青禾消费金融】尊敬的客户，您已获得提额资格，详情请咨询官方客服。'),
  s(
    'zh-Hans',
    'high',
    '您好，您的快递涉及违禁品，已被公安机关扣押，请联系办案民警 +7 495 123 4567。',
    'overseas_number',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】系统检测到您的银行卡存在风险，请提供卡号和有效期完成验证。',
    'asks_for_password_or_id',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的贷款合同有误，请登陆 qinghe-xf.cn.contract-fix.top 重新签署。',
    'official_as_subdomain',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】请在手机上安装“小鱼易连”，输入会议号后按专员提示操作。', 'screen_sharing'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的欠款请于今日转入专员私人账户，户名王强，卡号 6212 2611 0200 3344 556。',
    'transfer_to_safe_account',
  ),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】您的信用分數過低，需先繳交保證金才可撥款，請聯繫客服。',
    'unfreeze_or_release_fee',
  ),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】您的帳戶將於今晚停用，請立即點擊 qinghe-help.com 驗證身分。',
    'brand_in_foreign_domain',
  ),
  s('zh-Hant', 'high', '【青禾消費金融】請將手機簡訊中的認證碼回傳給客服人員。', 'asks_for_code'),
  s('zh-Hant', 'high', '【青禾消費金融】您有溢繳利息可退回，請加入官方LINE群組領取。'),
  s('zh-Hant', 'high', '【青禾消費金融】請使用支付寶掃描收款碼完成還款，逾期將移交法院。', 'transfer_to_safe_account'),
  s(
    'en',
    'high',
    'Qinghe Finance: your loan is in default. A bailiff will visit your address on Friday. Call 0044 20 3123 4567 to stop it.',
    'overseas_number',
  ),
  s(
    'en',
    'high',
    'Qinghe: to receive your overpaid interest, please share your screen with our advisor on Microsoft Teams.',
    'screen_sharing',
  ),
  s(
    'en',
    'high',
    'Qinghe Consumer Finance: confirm your identity by replying with the one-time password we just sent.',
    'asks_for_code',
  ),
  s(
    'en',
    'high',
    'Your Qinghe loan of CNY 30,000 is ready. A refundable deposit of CNY 1,500 is required before disbursement.',
    'unfreeze_or_release_fee',
  ),
  s(
    'en',
    'high',
    'Qinghe Consumer Finance: your account is frozen. Move the funds to the escrow account 6222 0000 1111 2222 to unfreeze it.',
    'transfer_to_safe_account',
  ),
  s(
    'en',
    'high',
    'Qinghe alert: suspicious login detected. Secure your account at https://secure-qinghe.com/login now.',
    'brand_in_foreign_domain',
  ),
  s('en', 'high', 'Qinghe Consumer Finance: your credit record shows an issue.'),
  s(
    'en',
    'high',
    'Qinghe: we owe you a refund. Text us your bank card number and we will send it today.',
    'asks_for_password_or_id',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】请把验✨证✨码发到这个号码，完成注销。', 'asks_for_code'),
  s('zh-Hans', 'high', '【青禾消费金融】额度已到账💰 加VX：qh2026 领取，手慢无！'),
  s('zh-Hans', 'high', '【青禾消费金融】请开启ＴｅａｍＶｉｅｗｅｒ远程，客服帮您办理降息。', 'screen_sharing'),
  s('zh-Hans', 'low', '【青禾消费金融】您好，请立即回复确认。'),
];
