import { checkText } from '../../../src/core/checker/check.ts';
import type { OfficialContacts, Risk } from '../../../src/core/checker/types.ts';
import type { Stage } from '../../../src/core/eligibility.ts';
import { decisionText } from '../../../src/core/relief-messages.ts';
import { renderReminder, type TemplateLocale } from '../../../src/core/templates.ts';
import { linkToken, referenceCode } from '../../../src/core/tokens.ts';
import { codeMessage } from '../../../src/services/borrower-auth.ts';
import { DEMO_LENDER } from '../../../src/services/demo-data.ts';
import { HELD_OUT_SCAMS } from './corpus-held-out.ts';
import { NEW_PATTERN_SCAMS } from './corpus-new-patterns.ts';
import { type AnalystLevel, type ScamSample, s } from './corpus-sample.ts';

export type { AnalystLevel, DecisiveSign, ScamSample } from './corpus-sample.ts';

/**
 * Scam texts modelled on public anti-fraud warnings (cancel-your-campus-loan, credit-record repair,
 * "safe accounts", verification codes, screen sharing and meeting apps, app downloads, fees to
 * unfreeze or release a loan, rate-cut and limit-raise bait, legal and home-visit threats, moves to
 * chat apps, look-alike and disguised links, fake hotlines, split-up words), most of them dressed as
 * the demo lender; the newer patterns are in corpus-new-patterns.ts and corpus-held-out.ts. Each is
 * labelled with the level an analyst gives it and the decisive acts it asks for (the rule is in
 * README-risk-model.md). The genuine side is every built-in text the service sends: every default
 * reminder template and every relief decision rendered for the demo lender, and the code messages.
 */

export const CLASSIC_SCAMS: ScamSample[] = [
  // Simplified Chinese ---------------------------------------------------------------------------
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您好，系统检测到您在学生时期开通了校园贷账户，根据监管要求需在今日内注销，否则将影响个人征信。请致电客服400-618-2237办理。',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的学生账户未注销，为避免影响征信，请下载腾讯会议，会议号 836 227 419，客服将指导您开启屏幕共享完成注销。',
    'screen_sharing',
  ),
  s(
    'zh-Hans',
    'high',
    '青禾金融提醒：您的借款额度已冻结，需缴纳解冻费1,000元，请转账至指定账户 6222 0212 3456 7890 123（户名：李明），到账后立即恢复。',
    'transfer_to_safe_account',
    'unfreeze_or_release_fee',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】尊敬的用户，您的贷款已审批通过，因银行卡号填写错误导致资金冻结，请缴纳保证金3000元解冻，详询专员微信qh5533。',
    'unfreeze_or_release_fee',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的账户存在异常，请将收到的验证码告诉客服人员以完成身份核验。',
    'asks_for_code',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款已逾期，请登录 qinghe-xf.top 立即还款，否则将上报征信。',
    'lookalike_domain',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的还款通道已升级，请访问 https://qinghe-xf.cn.repay-center.top 完成还款。',
    'official_as_subdomain',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】官方降息活动：您的借款利率可下调至3.6%，请点击 qinghe-rate.com 申请，名额有限。',
    'brand_in_foreign_domain',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】您的借款额度可提升至5万元，请下载“青禾优享”APP：http://dwz.cn/aB3xQ 激活。'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您已逾期30天，案件已移交法院，3日内不处理将立案起诉并上门催收，通知您的家人和单位。详询 138 1234 5678。',
    'personal_mobile_contact',
  ),
  s(
    'zh-Hans',
    'high',
    '您好，我是青禾消费金融客服，您的账户涉嫌洗钱，公安机关已冻结，请将资金转入安全账户配合调查。',
    'transfer_to_safe_account',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】检测到您的账户有异常登录，请立即回复短信中的6位动态码以确认本人操作。',
    'asks_for_code',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】为保障资金安全，请提供您的银行卡号、有效期及卡背面三位数字进行验证。',
    'asks_for_password_or_id',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的账户即将冻结，请登录 qlnghe-xf.cn 输入支付密码解除限制。',
    'lookalike_domain',
    'asks_for_password_or_id',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】请于今日内登录 q\u0456ngh\u0435-xf.cn 核对您的还款计划。', 'lookalike_domain'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】还款入口已迁移：https://xn--qngh-xf-bhg70a.cn/pay 请尽快操作。',
    'lookalike_domain',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款已逾期，如需协商延期请致电官方客服热线 400-186-5583。',
    'non_official_number',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】您有一笔多收利息待退还，请添加客服QQ 2881930452 办理。'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款需要核验，请把 验*证*码 发给专员，资金转入 安-全-账-户。',
    'asks_for_code',
    'transfer_to_safe_account',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】您的账户被判定为刷单洗钱，需配合警方开启屏幕共享核查资金。', 'screen_sharing'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您好，您的征信记录存在逾期，我司可帮您修复征信，仅需支付服务费680元，联系微信：zx-xiufu88。',
    'unfreeze_or_release_fee',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款合同即将到期，请下载安装“青禾金服”apk 更新合同：http://47.103.21.9/qh.apk',
    'raw_ip_link',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】逾期不还将爆通讯录，最后期限今晚8点前，还款请转账至个人账户 6217 0012 3456 7891（王经理）。',
    'transfer_to_safe_account',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】温馨提示：您的贷款申请已通过，需先刷流水5000元证明还款能力，完成后即可放款。',
    'unfreeze_or_release_fee',
  ),
  s('zh-Hans', 'medium', '【青禾消费金融】年底回馈：您的借款可享免息，名额仅剩3个，请马上回复“1”办理。'),
  s('zh-Hans', 'high', '青禾消费金融：您的账户异常，请点击 t.cn/A6xYz 重新认证。'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】尊敬的客户，请通过钉钉会议（会议号 5521 8876）与专员连线，协助您完成账户注销。',
    'screen_sharing',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款已逾期，请立即还款至监管账户，账号：6230 5800 0012 3456 789。',
    'transfer_to_safe_account',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】请用向日葵远程协助软件连接客服，为您办理降息。', 'screen_sharing'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您申请的临时额度已到账，需验证身份，请回复身份证号和银行卡密码。',
    'asks_for_password_or_id',
    'asks_for_password_or_id',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款已逾期，请在24小时内联系专员 +852 6123 4567，否则将冻结您名下所有银行卡。',
    'overseas_number',
  ),
  s('zh-Hans', 'high', '【青禾消费金融中心】您的借款已逾期，请通过 qinghe-xf.com 还款。', 'lookalike_domain'),
  s('zh-Hans', 'high', '【青禾金融】您的借款出现异常，请点击 bit.ly/3qhXf 处理，逾期将影响征信。'),
  s('zh-Hans', 'high', '【青禾消费金融】核实本短信：https://qhxf.co/r/7hGv2 查询码K7QX-92M8。', 'lookalike_domain'),
  s('zh-Hans', 'high', '【青禾消费金融】请核对还款信息：https://qhfx.cn/r/aa81 客服400-186-5533', 'lookalike_domain'),
  s('zh-Hans', 'high', '【青禾消费金融】您的借款已逾期，请登录 qinghe-xf点cn-pay点top 处理。', 'official_as_subdomain'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您好，检测到您名下有一笔未注销的百万保障服务，每月将自动扣费800元，如需取消请联系客服 021-6188 3721。',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】您的借款已结清，多收利息可退还，请扫描二维码下载App领取。'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】尊敬的用户，您的征信报告显示异常，请在Zoom会议中共享屏幕，由专员指导处理。',
    'screen_sharing',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的贷款资金因流水不足无法到账，请向对公验证账户转入2万元完成验资。',
    'transfer_to_safe_account',
    'unfreeze_or_release_fee',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】我们将安排工作人员上门核实，如需避免请立即支付欠款至 qinghe-xf-pay.com。',
    'brand_in_foreign_domain',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的账户已被冻结，请下载“云闪会”APP并开启屏幕共享，在客服指导下操作。',
    'screen_sharing',
  ),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款已逾期，专员电话 0086 139 0011 2233，请马上回电。',
    'personal_mobile_contact',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】您的借款将于今天内被强制执行，请立即致电 95011 处理。'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】请勿告诉他人，您的注销验证码为 482913，稍后专员会来电核对，请报给专员。',
    'asks_for_code',
  ),
  s('zh-Hans', 'high', '【安信消费金融】您的借款已逾期，请加微信 ax5566 还款，逾期将起诉。'),
  s('zh-Hans', 'high', '您好，您在平台开通的百万保障即将扣费，请联系 95013-8821 取消，否则每月自动扣费。'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】您的借款已逾期，请将欠款转到专员的个人支付宝完成还款，否则上门催收。',
    'transfer_to_safe_account',
  ),
  s('zh-Hans', 'high', '【青禾消费金融】提额通知：您的额度已提升至8万，请登录 qinghexf.cn 领取。', 'lookalike_domain'),
  s('zh-Hans', 'high', '【青禾消费金融】请访问 qing-he-xf.cn 完成身份认证，逾期账户将被冻结。', 'lookalike_domain'),
  s('zh-Hans', 'high', '【青禾消费金融】还款请访问 qinghe-fx.cn，客服400-186-5533。', 'lookalike_domain'),
  s(
    'zh-Hans',
    'high',
    '【青禾消费金融】请点击 https://qinghe-xf.cn@pay-qh.top/login 核对账单。',
    'official_as_subdomain',
  ),
  // Traditional Chinese --------------------------------------------------------------------------
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】您好，系統檢測到您的校園貸帳戶尚未註銷，請於今日內聯繫客服，否則將影響個人徵信。',
  ),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】您的帳戶涉嫌洗錢，請立即將資金轉入安全帳戶配合調查。',
    'transfer_to_safe_account',
  ),
  s('zh-Hant', 'high', '【青禾消費金融】請將手機收到的驗證碼提供給客服專員，以完成身分核實。', 'asks_for_code'),
  s('zh-Hant', 'high', '【青禾消費金融】請下載騰訊會議並開啟螢幕分享，客服將協助您處理退款。', 'screen_sharing'),
  s('zh-Hant', 'high', '【青禾消費金融】您的借款已逾期，請登入 qinghe-xf.vip 立即還款。', 'lookalike_domain'),
  s('zh-Hant', 'high', '【青禾消費金融】您的貸款額度可提升至8萬元，請加LINE ID: qh5533 辦理。'),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】因卡號錯誤導致款項凍結，需繳納解凍金2,000元，請匯款至指定帳戶。',
    'transfer_to_safe_account',
    'unfreeze_or_release_fee',
  ),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】逾期未還將提起訴訟並通知您的家人及公司，請撥打 +63 917 555 0123 協商。',
    'overseas_number',
  ),
  s('zh-Hant', 'high', '【青禾消費金融】為保障帳戶安全，請提供網銀密碼及卡片背面安全碼。', 'asks_for_password_or_id'),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】您的還款頁面已更新：https://qinghe-xf.cn.secure-pay.xyz/login',
    'official_as_subdomain',
  ),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】官方降息：年化利率下調至3%，請點擊 qinghe-loan.com 申請。',
    'brand_in_foreign_domain',
  ),
  s('zh-Hant', 'high', '【青禾消費金融】您的借款逾期，請於24小時內致電客服 400-888-1234 處理。'),
  s('zh-Hant', 'high', '【青禾消費金融】您好，請下載「青禾貸」App 完成身份認證，下載網址：bit.ly/qhapp'),
  s('zh-Hant', 'high', '【青禾消費金融】請使用 AnyDesk 遠端協助，客服將為您辦理註銷。', 'screen_sharing'),
  s('zh-Hant', 'high', '【青禾消費金融】您的帳戶已凍結，請在 WhatsApp 聯繫專員並回覆驗證碼解凍。', 'asks_for_code'),
  s('zh-Hant', 'high', '【青禾消費金融】請將 驗·證·碼 發給客服，否則帳戶將被註銷。', 'asks_for_code'),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】您有一筆多收利息待退還，請點擊 qhxf-refund.top 登記銀行卡號。',
    'brand_in_foreign_domain',
    'asks_for_password_or_id',
  ),
  s('zh-Hant', 'high', '青禾消費金融通知：您的帳戶即將被關閉，請立即回電 021-5566 7788。'),
  s(
    'zh-Hant',
    'high',
    '【青禾消費金融】請將欠款轉帳到專員的個人帳戶，帳號 6222 0811 2233 4455。',
    'transfer_to_safe_account',
  ),
  s('zh-Hant', 'high', '【青禾消費金融】系統升級，請於今日內登入 qinqhe-xf.cn 重新綁定銀行卡。', 'lookalike_domain'),
  s('zh-Hant', 'high', '【青禾消費金融】您的借款已逾期，詳情請見 ｑｉｎｇｈｅ－ｘｆ．ｃｃ 。', 'lookalike_domain'),
  // English ----------------------------------------------------------------------------------------
  s(
    'en',
    'high',
    '[Qinghe Consumer Finance] Your loan account has been frozen. To unfreeze it, transfer the outstanding balance to our safe account within 24 hours.',
    'transfer_to_safe_account',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: we detected a login from a new device. Reply with the verification code we just sent to confirm it was you.',
    'asks_for_code',
  ),
  s(
    'en',
    'high',
    'Your Qinghe loan is 30 days overdue. Visit https://qinghe-xf.com/pay today to avoid legal action.',
    'lookalike_domain',
  ),
  s(
    'en',
    'high',
    'URGENT: Qinghe Consumer Finance will file a lawsuit and send debt collectors to your home. Call +1 646 555 0199 immediately.',
    'overseas_number',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance support: please install AnyDesk and share the 9-digit ID so our agent can fix your repayment.',
    'screen_sharing',
  ),
  s(
    'en',
    'high',
    'Good news from Qinghe! You qualify for a lower interest rate. Apply at qinghe-offers.xyz before midnight.',
    'brand_in_foreign_domain',
  ),
  s(
    'en',
    'high',
    'Qinghe Consumer Finance: your student loan account must be closed or your credit record will be affected. Call 400-900-7766.',
  ),
  s(
    'en',
    'high',
    'To release your approved Qinghe loan, pay a processing fee of CNY 800 first. Contact our agent on WhatsApp +44 7700 900123.',
    'unfreeze_or_release_fee',
    'overseas_number',
  ),
  s(
    'en',
    'high',
    'Qinghe: Please provide your card number, expiry date and the 3 digits on the back of your card to verify your identity.',
    'asks_for_password_or_id',
  ),
  s(
    'en',
    'high',
    '[Qinghe Consumer Finance] Join our Zoom meeting (ID 812 5531 9920) and share your screen so we can review your repayment plan.',
    'screen_sharing',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: your account will be suspended. Log in at http://qinghe-xf.cn.verify-account.info to keep it active.',
    'official_as_subdomain',
  ),
  s('en', 'high', 'Your Qinghe repayment failed. Update your details at bit.ly/qh-pay or your account will be frozen.'),
  s(
    'en',
    'high',
    'Qinghe Consumer Finance: Download our new app from http://198.51.100.23/qinghe.apk to get a limit increase.',
    'raw_ip_link',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: the police have flagged your account for money laundering. Move your funds to a secure holding account now.',
    'transfer_to_safe_account',
  ),
  s(
    'en',
    'high',
    '【青禾消费金融】Your loan is overdue. Tell our agent the OTP you receive so we can pause the penalty.',
    'asks_for_code',
  ),
  s(
    'en',
    'high',
    'Qinghe Consumer Finance: a court summons has been issued. Pay at qlnghe-xf.cn within 48 hours to cancel the warrant.',
    'lookalike_domain',
  ),
  s(
    'en',
    'high',
    'Hi, this is Qinghe loan recovery. Add me on Telegram @qh_recovery to settle your debt at a discount.',
  ),
  s(
    'en',
    'high',
    '[Qinghe Consumer Finance] For your security, confirm your online banking password at https://tinyurl.com/qh-secure.',
    'asks_for_password_or_id',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: Your loan limit has been raised to CNY 50,000. Activate it by paying a CNY 500 activation deposit to the designated account.',
    'transfer_to_safe_account',
    'unfreeze_or_release_fee',
  ),
  s(
    'en',
    'high',
    'Qinghe Consumer Finance: verify your identity with a selfie and a photo of your ID card at qinghe-kyc.top.',
    'brand_in_foreign_domain',
    'asks_for_password_or_id',
  ),
  s(
    'en',
    'high',
    'Dear customer, your Qinghe account shows unusual activity. Call our hotline 400-186-5538 right away.',
    'non_official_number',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: your credit score can be repaired for a small fee. WhatsApp us: +63 912 345 6789',
    'unfreeze_or_release_fee',
    'overseas_number',
  ),
  s(
    'en',
    'high',
    'Qinghe notice: cancel your campus loan today or it will be reported. Visit qinghe-cancel.com',
    'brand_in_foreign_domain',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: we will visit your home and inform your employer unless you pay within 24 hours via https://qhxf.top/p',
    'lookalike_domain',
  ),
  s(
    'en',
    'high',
    '[Qinghe Consumer Finance] Use TeamViewer so our technician can unlock your frozen loan.',
    'screen_sharing',
  ),
  s(
    'en',
    'high',
    'Qinghe Consumer Finance: send the 6-digit code from your SMS to this number to stop automatic deductions.',
    'asks_for_code',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: transfer CNY 3,000 to account 6222 0212 3456 7890 to clear your overdue record.',
    'transfer_to_safe_account',
  ),
  s(
    'en',
    'high',
    'Qinghe: your interest will be cut by half. Reply with your PIN to confirm.',
    'asks_for_password_or_id',
  ),
  s(
    'en',
    'high',
    'Qinghe Consumer Finance will report you to the police and the court tomorrow. Last chance: call 010-8512 3377.',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: download the app from qinghe-xf.app.link/get and enter your login password.',
    'brand_in_foreign_domain',
    'asks_for_password_or_id',
  ),
  s(
    'en',
    'high',
    'Your parcel for your loan documents is held at customs. Pay the release fee at dhl-track.top within 24 hours.',
    'unfreeze_or_release_fee',
  ),
  s(
    'en',
    'high',
    'Qinghe Finance: your OTP is 839201. Our officer will call you; read the code to him to cancel the charge.',
    'asks_for_code',
  ),
];

/** Every scam: the classic patterns above, the newer ones, and the set first run as unseen texts. */
export const SCAMS: ScamSample[] = [...CLASSIC_SCAMS, ...NEW_PATTERN_SCAMS, ...HELD_OUT_SCAMS];

// Genuine reminders ----------------------------------------------------------------------------

const STAGES: Stage[] = ['gentle', 'firm', 'final'];
const LOCALES: TemplateLocale[] = ['zh-CN', 'en'];

/** Realistic facts: small and large amounts, every stage's typical overdue days, real-looking links and codes. */
const FACT_SETS = [
  { amountDue: 308_250, penalty: 1_500, dueDate: '2026-11-09', days: { gentle: 2, firm: 10, final: 45 }, seed: 7 },
  { amountDue: 45_000, penalty: 0, dueDate: '2026-01-31', days: { gentle: 1, firm: 15, final: 90 }, seed: 91 },
  {
    amountDue: 12_860_075,
    penalty: 186_045,
    dueDate: '2026-06-15',
    days: { gentle: 3, firm: 21, final: 120 },
    seed: 203,
  },
];

function bytes(seed: number, length: number): Uint8Array {
  // mulberry32: reproducible, realistic-looking tokens and codes.
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) % 256;
  }
  return out;
}

export interface GenuineSample {
  label: string;
  text: string;
}

export function genuineReminders(): GenuineSample[] {
  const out: GenuineSample[] = [];
  for (const facts of FACT_SETS) {
    for (const stage of STAGES) {
      for (const locale of LOCALES) {
        const link = `https://${DEMO_LENDER.shortLinkDomain}/r/${linkToken(bytes(facts.seed + stage.length, 18))}`;
        const code = referenceCode(bytes(facts.seed * 3 + locale.length, 7));
        const rendered = renderReminder(DEMO_LENDER, {
          stage,
          locale,
          currency: 'CNY',
          amountDue: facts.amountDue,
          penalty: facts.penalty,
          dueDate: facts.dueDate,
          daysOverdue: facts.days[stage],
          link,
          code,
        });
        out.push({ label: `${rendered.key} ¥${facts.amountDue / 100}`, text: rendered.text });
      }
    }
  }
  return out;
}

/** Every decision text the service sends about a relief request: both kinds, approved or not, both languages. */
export function genuineDecisions(): GenuineSample[] {
  const out: GenuineSample[] = [];
  for (const facts of FACT_SETS) {
    for (const locale of LOCALES) {
      for (const approved of [true, false]) {
        for (const kind of ['extension', 'plan'] as const) {
          const text = decisionText(DEMO_LENDER, {
            kind,
            approved,
            locale,
            currency: 'CNY',
            firstDue: { date: facts.dueDate, amount: facts.amountDue },
            link: `https://${DEMO_LENDER.shortLinkDomain}/r/${linkToken(bytes(facts.seed + 11, 18))}`,
            code: referenceCode(bytes(facts.seed * 5 + locale.length, 7)),
          });
          out.push({
            label: `decision.${kind}.${approved ? 'approved' : 'declined'}.${locale} ¥${facts.amountDue / 100}`,
            text,
          });
        }
      }
    }
  }
  return out;
}

/** The one-time-code texts the service sends borrowers (they warn never to share the code). */
export function genuineCodeMessages(): GenuineSample[] {
  const out: GenuineSample[] = [];
  for (const purpose of ['sign_in', 'reauth', 'phone_change'] as const) {
    for (const locale of LOCALES) {
      out.push({ label: `code.${purpose}.${locale}`, text: codeMessage('482913', purpose, locale) });
    }
  }
  return out;
}

/** Every built-in text the service sends in a lender's name: reminders and relief decisions. */
export function genuineLenderTexts(): GenuineSample[] {
  return [...genuineReminders(), ...genuineDecisions()];
}

/** Every genuine text as sent, and as phones and carriers pass it on. */
export function genuineWithVariants(): GenuineSample[] {
  const out: GenuineSample[] = [];
  const add = (samples: GenuineSample[], signature: string) => {
    for (const { label, text } of samples) {
      out.push({ label, text });
      carrierVariants(text, signature).forEach((variant, i) => {
        out.push({ label: `${label} (carrier variant ${i + 1})`, text: variant });
      });
    }
  };
  add(genuineLenderTexts(), `【${DEMO_LENDER.smsSignature}】`);
  add(genuineCodeMessages(), '【真信】');
  return out;
}

/** What phones and carriers do to a text: full width, the signature moved to the end, split parts, ASCII punctuation. */
export function carrierVariants(text: string, signature: string): string[] {
  const body = text.startsWith(signature) ? text.slice(signature.length) : text;
  return [
    fullWidth(text),
    `${body}${signature}`,
    `${signature}(1/2)${body.slice(0, 30)}\n${signature}(2/2)${body.slice(30)}`,
    text.replace(/，/g, ',').replace(/。/g, '. '),
  ];
}

export const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');

// The confusion table ------------------------------------------------------------------------

const RISKS: Risk[] = ['none', 'low', 'medium', 'high'];
const LEVELS: AnalystLevel[] = ['high', 'medium', 'low'];

export interface Confusion {
  /** Scams by the level an analyst gave them (rows) and the checker's risk (columns). */
  scams: Record<AnalystLevel, Record<Risk, number>>;
  /** Scams that ask for a decisive act, by the checker's risk. */
  decisive: Record<Risk, number>;
  genuine: Record<Risk, number>;
  /** Scams whose risk is exactly the analyst's level. */
  agree: number;
  total: number;
}

const emptyRow = (): Record<Risk, number> => ({ none: 0, low: 0, medium: 0, high: 0 });

/** Counts per risk level for scams (by analyst level) and genuine texts, as checked against `officials`. */
export function confusionTable(
  officials: OfficialContacts[],
  scams: readonly ScamSample[] = SCAMS,
  genuine: readonly GenuineSample[] = genuineWithVariants(),
): Confusion {
  const table: Confusion = {
    scams: { high: emptyRow(), medium: emptyRow(), low: emptyRow() },
    decisive: emptyRow(),
    genuine: emptyRow(),
    agree: 0,
    total: scams.length,
  };
  for (const sample of scams) {
    const { risk } = checkText(sample.text, officials);
    table.scams[sample.level][risk]++;
    if (sample.decisive.length > 0) table.decisive[risk]++;
    if (risk === sample.level) table.agree++;
  }
  for (const sample of genuine) table.genuine[checkText(sample.text, officials).risk]++;
  return table;
}

/** The table as Markdown, as README-risk-model.md shows it. */
export function formatConfusion(table: Confusion, genuineLabel = 'genuine texts'): string {
  const sum = (row: Record<Risk, number>) => RISKS.reduce((n, r) => n + row[r], 0);
  const rows: Array<[string, Record<Risk, number>]> = [
    ...LEVELS.map((level): [string, Record<Risk, number>] => [
      `scams an analyst calls ${level} (${sum(table.scams[level])})`,
      table.scams[level],
    ]),
    [`scams asking for a decisive act (${sum(table.decisive)})`, table.decisive],
    [`${genuineLabel} (${sum(table.genuine)})`, table.genuine],
  ];
  const width = Math.max(...rows.map(([name]) => name.length), 'checker risk →'.length);
  const line = (cells: string[]) =>
    `| ${cells[0]?.padEnd(width)} | ${cells
      .slice(1)
      .map((c) => c.padStart(6))
      .join(' | ')} |`;
  const pct = ((100 * table.agree) / Math.max(1, table.total)).toFixed(1);
  return [
    line(['checker risk →', ...RISKS]),
    `| ${'-'.repeat(width)} | ${RISKS.map(() => '-----:').join(' | ')} |`,
    ...rows.map(([name, row]) => line([name, ...RISKS.map((r) => String(row[r]))])),
    '',
    `${table.agree} of ${table.total} scams (${pct}%) get exactly the analyst's level.`,
  ].join('\n');
}
