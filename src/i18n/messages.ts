import { accountEn, accountZh } from './catalogues/account.ts';
import { casesEn, casesZh } from './catalogues/cases.ts';
import { consoleEn, consoleZh } from './catalogues/console.ts';
import { developersEn, developersZh } from './catalogues/developers.ts';
import { forgedEn, forgedZh } from './catalogues/forged.ts';
import { importEn, importZh } from './catalogues/import.ts';
import { phoneRecipientsEn, phoneRecipientsZh } from './catalogues/phone-recipients.ts';
import { reliefEn, reliefZh } from './catalogues/relief.ts';
import { repliesEn, repliesZh } from './catalogues/replies.ts';
import { reportEn, reportZh } from './catalogues/report.ts';
import { settingsEn, settingsZh } from './catalogues/settings.ts';
import { signInAlertsEn, signInAlertsZh } from './catalogues/sign-in-alerts.ts';
import { staffEn, staffZh } from './catalogues/staff.ts';
import { templatesEn, templatesZh } from './catalogues/templates.ts';
import { verifyAnswersEn, verifyAnswersZh } from './catalogues/verify-answers.ts';
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
  'home.cta': '现在核实一条短信',
  'home.account': '查看我的借款',
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
  'home.verifyNote': '也可以拨打下方各贷款机构页面上的官方客服电话核实。不要拨打短信里留的号码。',
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
  'verify.title': '核实一条短信',
  'verify.lead': '选一种方法。我们只会在短信确实由贷款机构通过真信发出时告诉您“是真的”。',
  'verify.link.title': '用短信里的链接核实',
  'verify.link.label': '链接',
  'verify.link.hint': '复制短信里以 https:// 开头的整个链接，例如 https://qhxf.cn/r/…',
  'verify.code.title': '用查询码核实',
  'verify.code.label': '查询码',
  'verify.code.hint': '短信里的 8 位查询码，例如 K7QX-92M8（不区分大小写）',
  'verify.last4.label': '收到短信的手机号后四位',
  'verify.text.title': '粘贴整条短信',
  'verify.text.label': '短信全文',
  'verify.text.hint': '长按短信选择“复制”，再粘贴到这里。我们不会保存您粘贴的内容。',
  'verify.submit': '核实',
  'verify.errorSummary': '请修改以下问题',
  'verify.error.link': '请粘贴短信里的链接',
  'verify.error.code': '请输入短信里的 8 位查询码',
  'verify.error.last4': '请输入 4 位数字，即收到短信的手机号的最后四位',
  'verify.error.text': '请粘贴短信全文',
  'verify.error.tooLong': '内容太长了：一条短信不会超过 2000 个字',
  'verify.error.unreadable': '这一项无法识别，请检查是否完整、有没有多余的内容，然后再试一次',
  'verify.result.genuine': '是真的：这条短信是{name}发出的',
  'verify.result.genuine.lead': '发送于{sentAt}，发往{phone}。',
  'verify.result.expired': '这个链接来自真实短信，但已过期',
  'verify.result.notSent': '我们没有发出过这条短信',
  'verify.result.notSent.high': '这很可能是诈骗短信。请不要按短信操作，不要转账，不要告诉任何人验证码。',
  'verify.result.notSent.medium': '这条短信有可疑之处。请不要点击其中的链接或拨打其中的电话，先用官方渠道核实。',
  'verify.result.notSent.low': '这条短信与我们发出的任何短信都不一致。请通过官方渠道核实后再操作。',
  'verify.result.notSent.none':
    '这条短信与我们发出的任何短信都不一致。如果它自称来自贷款机构，请拨打官方客服电话核实。',
  'verify.signs': '我们发现的可疑之处',
  'verify.signs.inText': '可疑部分在原文中标出：',
  'verify.again': '再核实一条',
  'verify.noLender': '我们无法判断这条短信冒充的是哪家机构。请查看您的借款机构的官方联系方式：',
  'embed.about': '核实一条自称来自{name}的短信或链接是否真实。',
  'embed.unknown.title': '无法在这里核实',
  'embed.unknown.lead': '这个核实窗口的设置不完整。请直接打开贷款机构的官方网站或拨打官方客服电话核实。',
  'short.title.genuine': '是的，这条短信是{name}发出的',
  'short.lead.genuine':
    '这条短信由{name}通过真信发出，内容与下方一致。如果您收到的内容与此不同，请以此为准，并拨打官方客服电话。',
  'short.sentAt': '发送时间',
  'short.sentTo': '发送到',
  'short.code': '查询码',
  'short.text': '我们发出的内容',
  'short.next': '接下来',
  'short.next.signIn': '登录查看欠款明细',
  'short.next.signInHint': '用收到这条短信的手机号登录，我们会发一条验证码。打开这个链接本身不会登录。',
  'short.next.repay': '还款或查看欠款，请只使用{name}的官方渠道：',
  'short.next.call': '有疑问请拨打官方客服电话',
  'short.next.never': '我们不会要求您转账到个人账户，也不会索要验证码或密码。',
  'short.expired.title': '这个链接已经过期',
  'short.expired.lead': '这个链接确实来自{name}发出的短信（发送于{sentAt}），但为了安全已经失效。它不能再用来核实。',
  'short.expired.what': '如果您最近又收到了提醒，请用新短信里的链接或查询码核实；也可以直接拨打官方客服电话。',
  'short.unknown.title': '我们没有找到这个链接',
  'short.unknown.lead':
    '它不在我们发出的任何短信里。最常见的原因是链接复制不完整或抄错了，这本身不说明短信是诈骗；但在核实之前，请不要按短信操作。',
  'short.unknown.what':
    '请不要点击短信里的其他链接，不要转账，也不要告诉任何人验证码。如有疑问，请拨打下面的官方客服电话：',
  'short.unknown.typo': '如果链接是您手动输入的，请检查是否抄错了字母的大小写。',
  'short.limited.title': '请稍后再试',
  'short.limited.lead': '这台设备在短时间内查询了太多次。请一分钟后再试，或直接拨打贷款机构的官方客服电话。',
  'contacts.title': '{name}的官方联系方式',
  'contacts.more': '查看全部官方信息',
  'error.body': '我们这边出了问题，不是您操作有误。请稍后再试；如需帮助，请拨打贷款机构官方客服电话，并提供编号 {id}。',
  ...staffZh,
  ...accountZh,
  ...reliefZh,
  ...phoneRecipientsZh,
  ...developersZh,
  ...consoleZh,
  ...repliesZh,
  ...casesZh,
  ...settingsZh,
  ...reportZh,
  ...templatesZh,
  ...verifyAnswersZh,
  ...importZh,
  ...forgedZh,
  ...signInAlertsZh,
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
  'home.cta': 'Check a message now',
  'home.account': 'See my loans',
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
    'You can also call the official hotline on your lender’s page below. Never call a number given in the message.',
  'home.never.title': 'A real lender will never:',
  'home.never.1': 'Ask you to transfer money to a personal, “safe” or “designated” account',
  'home.never.2': 'Ask for an SMS code, a password, your ID or card number',
  'home.never.3': 'Ask you to install an unknown app, share your screen or join a video meeting',
  'home.never.4': 'Use “cancel your student loan”, “your credit record” or “lower your rate” as a reason',
  'home.never.5': 'Threaten home visits, lawsuits or arrest to rush you',
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
  'verify.title': 'Check a message',
  'verify.lead': 'Choose one way. We say “genuine” only when a lender really sent the message through Zhenxin.',
  'verify.link.title': 'Check with the link in the message',
  'verify.link.label': 'Link',
  'verify.link.hint': 'Copy the whole link starting with https:// from the message, e.g. https://qhxf.cn/r/…',
  'verify.code.title': 'Check with the reference code',
  'verify.code.label': 'Reference code',
  'verify.code.hint': 'The 8-character code in the message, e.g. K7QX-92M8 (any case)',
  'verify.last4.label': 'Last four digits of the phone that received it',
  'verify.text.title': 'Paste the whole message',
  'verify.text.label': 'Message text',
  'verify.text.hint': 'Long-press the message, choose “Copy”, and paste it here. We do not keep what you paste.',
  'verify.submit': 'Check',
  'verify.errorSummary': 'There is a problem',
  'verify.error.link': 'Paste the link from the message',
  'verify.error.code': 'Enter the 8-character reference code from the message',
  'verify.error.last4': 'Enter 4 digits: the last four of the phone that received the message',
  'verify.error.text': 'Paste the text of the message',
  'verify.error.tooLong': 'That is too long: an SMS is never more than 2,000 characters',
  'verify.error.unreadable': 'We could not read this: check that it is complete and has nothing extra, then try again',
  'verify.result.genuine': 'Genuine: {name} sent this message',
  'verify.result.genuine.lead': 'Sent {sentAt} to {phone}.',
  'verify.result.expired': 'This link comes from a real message, but it has expired',
  'verify.result.notSent': 'We did not send this message',
  'verify.result.notSent.high':
    'This is very likely a scam. Do not act on it, do not transfer money, and never tell anyone a verification code.',
  'verify.result.notSent.medium':
    'This message has suspicious parts. Do not open its links or call its numbers; check through the official channels first.',
  'verify.result.notSent.low':
    'This does not match any message we sent. Check through the official channels before doing anything.',
  'verify.result.notSent.none':
    'This does not match any message we sent. If it claims to come from a lender, call the lender’s official hotline to check.',
  'verify.signs': 'What looks wrong',
  'verify.signs.inText': 'The suspicious parts are marked in the text:',
  'verify.again': 'Check another message',
  'verify.noLender':
    'We cannot tell which lender this message pretends to be from. Look up your lender’s official contacts:',
  'embed.about': 'Check whether a message or link that claims to come from {name} is genuine.',
  'embed.unknown.title': 'This check cannot run here',
  'embed.unknown.lead':
    'This check window is not set up completely. Open the lender’s official website or call its official hotline instead.',
  'short.title.genuine': 'Yes, {name} sent this message',
  'short.lead.genuine':
    '{name} sent this message through Zhenxin, and this is what it said. If what you received differs, trust this page and call the official hotline.',
  'short.sentAt': 'Sent',
  'short.sentTo': 'Sent to',
  'short.code': 'Reference code',
  'short.text': 'What we sent',
  'short.next': 'What to do next',
  'short.next.signIn': 'Sign in to see what you owe',
  'short.next.signInHint':
    'Sign in with the number that got this text; we send you a code. Opening this link does not sign you in.',
  'short.next.repay': 'To repay or see what you owe, use only {name}’s official channels:',
  'short.next.call': 'Questions? Call the official hotline',
  'short.next.never': 'We never ask you to pay into a personal account, and never ask for codes or passwords.',
  'short.expired.title': 'This link has expired',
  'short.expired.lead':
    'This link did come from a message {name} sent (on {sentAt}), but it has expired for your safety and can no longer be checked.',
  'short.expired.what':
    'If you have had a newer reminder, use its link or reference code; or call the official hotline.',
  'short.unknown.title': 'We could not find this link',
  'short.unknown.lead':
    'It is not in any message we sent. Most often a link was copied incompletely or typed wrongly, which does not by itself make the message a scam; but do not act on the message until you have checked it.',
  'short.unknown.what':
    'Do not open other links in the message, do not transfer money, and never tell anyone a verification code. If in doubt, call the official hotline below:',
  'short.unknown.typo':
    'If you typed the link yourself, check that capital and small letters are exactly as in the message.',
  'short.limited.title': 'Please try again shortly',
  'short.limited.lead':
    'This device has checked too many times in a short while. Please try again in a minute, or call the lender’s official hotline.',
  'contacts.title': 'Official contacts of {name}',
  'contacts.more': 'All official details',
  'error.body':
    'Something failed on our side, not because of anything you did. Please try again later, or call the lender’s official hotline and quote reference {id}.',
  ...staffEn,
  ...accountEn,
  ...reliefEn,
  ...phoneRecipientsEn,
  ...developersEn,
  ...consoleEn,
  ...repliesEn,
  ...casesEn,
  ...settingsEn,
  ...reportEn,
  ...templatesEn,
  ...verifyAnswersEn,
  ...importEn,
  ...forgedEn,
  ...signInAlertsEn,
};

const catalogues: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zh, en };

/** The text for `key` in `locale`, with `{name}` placeholders filled in. */
export function t(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogues[locale][key];
  // Most texts have no placeholder: no scan for one (t is called dozens of times per page).
  if (!template.includes('{')) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Every entry of a locale's catalogue, as written (placeholders unfilled): what the punctuation test reads. */
export function catalogueEntries(locale: Locale): Array<[MessageKey, string]> {
  return Object.entries(catalogues[locale]) as Array<[MessageKey, string]>;
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  return (key, params) => t(locale, key, params);
}

/**
 * A translated text cut around one placeholder left unfilled, so markup (an amount read out
 * properly, a link) can sit where the sentence puts it in each language.
 */
export function around(text: string, name: string): [string, string] {
  const marker = `{${name}}`;
  const at = text.indexOf(marker);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + marker.length)];
}
