import type { Locale } from './locale.ts';

/** The site's words. zh-CN is the source; en must have every key (the type checks it). */
const zh = {
  'site.name': '真信',
  'site.tagline': '核实催收短信真假',
  'site.skip': '跳到正文',
  'site.language': '语言',
  'site.switchTo': 'English',
  'site.footer.about': '真信帮助借款人核实还款提醒短信是否真的来自贷款机构，并提供官方联系方式。',
  'site.footer.never': '我们不会通过短信索要验证码、密码，也不会要求您转账到个人账户。',

  'home.title': '收到还款提醒短信？先核实是不是真的',
  'home.lead':
    '骗子会冒充贷款机构发送“逾期”“注销账户”“影响征信”等短信。真信只在短信确实由贷款机构通过本系统发出时，才会告诉您“是真的”。',
  'home.ways': '三种核实方法',
  'home.way.link.title': '点开短信里的官方短链接',
  'home.way.link.body':
    '真实提醒都带有贷款机构的官方短链接，形如 {example}，每家机构的短域名列在下方它的页面上。打开后会显示这条短信是否由我们发出、何时发出、发往哪个手机号（部分隐藏）。打开链接不会显示余额，也不会自动登录。',
  'home.way.link.example': 'https://短域名/r/…',
  'home.way.code.title': '输入短信里的查询码',
  'home.way.code.body': '每条真实提醒都有一个查询码，形如 {example}。配合收信手机号的后四位即可核实。',
  'home.way.text.title': '粘贴整条短信',
  'home.way.text.body':
    '把短信全文粘贴进来，我们会与真实发出的短信逐字比对；若不匹配，会指出其中的诈骗迹象，比如仿冒网址、私人账户、索要验证码。',
  'home.verifyNote':
    '在线核实即将开放。在此之前，如对短信有疑问，请在下方找到您的贷款机构，拨打其页面上的官方客服电话核实，不要拨打短信里留的号码。',
  'home.never.title': '真实的贷款机构绝不会：',
  'home.never.1': '要求您转账到个人账户、“安全账户”或“指定账户”',
  'home.never.2': '索要短信验证码、密码、身份证或银行卡号',
  'home.never.3': '要求您下载陌生 App、开启屏幕共享或加入视频会议',
  'home.never.4': '以“注销校园贷”“影响征信”“降低利率”为由要求操作',
  'home.never.5': '威胁上门、起诉或逮捕，催您立即处理',
  'home.lenders': '使用真信的贷款机构',
  'home.lenders.hint': '查看每家机构的官方短信签名、网址和客服电话：只有这些是真的。',

  'lender.title': '{name}的官方联系方式',
  'lender.lead': '只有以下签名、网址和电话属于{name}。其他任何号码、网址或账户都不是我们的。',
  'lender.signature': '短信签名',
  'lender.signature.hint': '真实短信以此签名开头或结尾。签名可以伪造，所以请同时核对链接和电话。',
  'lender.domains': '官方网址',
  'lender.shortLink': '短信短链接域名',
  'lender.shortLink.hint': '提醒短信中的链接一定以 {example} 开头。',
  'lender.hotlines': '官方客服电话',
  'lender.channels': '官方还款渠道',
  'lender.channels.warning': '{name}不会要求您转账到个人账户。对公账户的户名一定是公司全称。',
  'lender.hours': '服务时间 {hours}',
  'lender.policy': '逾期规则',
  'lender.policy.body':
    '到期日后 {grace} 天内还清不收罚息；超过后，罚息按未还本金每日 {rate} 计算（年化不超过 {cap}），宽限期内的天数也计算在内。',
  'lender.notFound.title': '没有找到这家机构',

  'notFound.title': '页面不存在',
  'notFound.body':
    '您要找的页面不存在或已移除。如果是短信里的链接打不开，请不要在其他网站输入个人信息，直接拨打贷款机构的官方客服电话核实。',
  'notFound.home': '返回首页，查看各贷款机构的官方联系方式',
  'error.title': '出错了',
  'error.body': '我们这边出了问题，不是您操作有误。请稍后再试；如需帮助，请拨打贷款机构官方客服电话，并提供编号 {id}。',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  'site.name': 'Zhenxin',
  'site.tagline': 'Check whether a repayment reminder is genuine',
  'site.skip': 'Skip to content',
  'site.language': 'Language',
  'site.switchTo': '中文',
  'site.footer.about':
    'Zhenxin helps borrowers check whether a repayment reminder really came from their lender, and gives the lender’s official contacts.',
  'site.footer.never':
    'We never ask for codes or passwords by SMS, and never ask you to transfer money to a personal account.',

  'home.title': 'Got a repayment reminder? Check it is real first',
  'home.lead':
    'Scammers imitate lenders with messages about “overdue debts”, “cancelling your account” or “your credit record”. Zhenxin says “genuine” only when a message really was sent by the lender through this system.',
  'home.ways': 'Three ways to check',
  'home.way.link.title': 'Open the official short link in the message',
  'home.way.link.body':
    'Every genuine reminder carries the lender’s official short link, like {example} (each lender’s short domain is on its page below). It shows whether we sent the message, when, and to which (partly hidden) number. It never shows a balance and never signs you in.',
  'home.way.link.example': 'https://short-domain/r/…',
  'home.way.code.title': 'Type the reference code',
  'home.way.code.body':
    'Every genuine reminder has a reference code, like {example}. With the last four digits of the phone that received it, that is enough to check.',
  'home.way.text.title': 'Paste the whole message',
  'home.way.text.body':
    'Paste the full text and we compare it with what was really sent. If it does not match, we point out the scam signs in it, such as look-alike links, personal accounts or requests for codes.',
  'home.verifyNote':
    'Online checking opens soon. Until then, if you doubt a message, find your lender below and call the official hotline on its page, never a number given in the message.',
  'home.never.title': 'A real lender will never:',
  'home.never.1': 'ask you to transfer money to a personal, “safe” or “designated” account',
  'home.never.2': 'ask for an SMS code, a password, your ID or card number',
  'home.never.3': 'ask you to install an unknown app, share your screen or join a video meeting',
  'home.never.4': 'use “cancel your student loan”, “your credit record” or “lower your rate” as a reason',
  'home.never.5': 'threaten home visits, lawsuits or arrest to rush you',
  'home.lenders': 'Lenders using Zhenxin',
  'home.lenders.hint': 'See each lender’s official SMS signature, websites and hotline: only those are real.',

  'lender.title': 'Official contacts of {name}',
  'lender.lead':
    'Only the signature, websites and numbers below belong to {name}. Any other number, website or account is not ours.',
  'lender.signature': 'SMS signature',
  'lender.signature.hint':
    'Genuine messages start or end with this signature. Signatures can be faked, so check the link and the number too.',
  'lender.domains': 'Official websites',
  'lender.shortLink': 'Short-link domain used in SMS',
  'lender.shortLink.hint': 'Links in reminders always start with {example}.',
  'lender.hotlines': 'Official hotline',
  'lender.channels': 'Official ways to repay',
  'lender.channels.warning':
    '{name} never asks you to pay into a personal account. A company account always carries the company’s full name.',
  'lender.hours': 'Open {hours}',
  'lender.policy': 'Late-payment rules',
  'lender.policy.body':
    'Pay within {grace} days of the due date and no penalty interest is charged; after that, penalty interest is {rate} of the unpaid principal per day (capped at {cap} a year), counting the grace days too.',
  'lender.notFound.title': 'Lender not found',

  'notFound.title': 'Page not found',
  'notFound.body':
    'The page you are looking for does not exist or has been removed. If a link from a message does not open, do not enter personal details on other sites: call the lender’s official hotline instead.',
  'notFound.home': 'Go to the home page to find your lender’s official contacts',
  'error.title': 'Something went wrong',
  'error.body':
    'Something failed on our side, not because of anything you did. Please try again later, or call the lender’s official hotline and quote reference {id}.',
};

const catalogues: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zh, en };

/** The text for `key` in `locale`, with `{name}` placeholders filled in. */
export function t(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogues[locale][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  return (key, params) => t(locale, key, params);
}
