/** The widget's words, zh-CN first; both languages ship in the one script (it is small). */

type Risk = 'none' | 'low' | 'medium' | 'high';

const zh = {
  title: '核实这条短信是不是真的',
  how: '用哪种方式核实？',
  byText: '粘贴短信',
  byLink: '短信里的链接',
  byCode: '查询码',
  textLabel: '短信全文',
  textHint: '长按短信选择“复制”，再粘贴到这里。',
  linkLabel: '链接',
  linkHint: '短信里以 https:// 开头的整个链接',
  codeLabel: '查询码',
  codeHint: '短信里的 8 位查询码，例如 K7QX-92M8',
  last4Label: '收到短信的手机号后四位',
  submit: '核实',
  checking: '正在核实…',
  needText: '请粘贴短信全文',
  tooLong: '内容太长了：一条短信不会超过 2000 个字',
  needLink: '请粘贴短信里的链接',
  needCode: '请输入短信里的 8 位查询码',
  needLast4: '请输入 4 位数字',
  unreadable: '这一项无法识别，请检查后再试',
  verdict: {
    genuine: (name: string) => `是真的：这条短信是${name}发出的`,
    not_sent: () => '我们没有发出过这条短信',
    expired: () => '这个链接来自真实短信，但已过期',
  },
  sent: (at: string, phone: string) => `发送于 ${at}，发往 ${phone}。`,
  expired: '请登录官方 App 或拨打官方客服电话查看最新应还金额。',
  advice: {
    high: '这很可能是诈骗短信。不要点链接，不要转账，不要告诉任何人验证码。',
    medium: '这条短信有可疑之处。不要点击其中的链接或拨打其中的电话，先用官方渠道核实。',
    low: '这条短信与我们发出的任何短信都不一致。请通过官方渠道核实后再操作。',
    none: '这条短信与我们发出的任何短信都不一致。如有疑问，请拨打官方客服电话。',
  } satisfies Record<Risk, string>,
  signs: '可疑之处：',
  official: (name: string) => `${name}的官方联系方式`,
  hotline: '客服电话',
  website: '官网',
  noContacts: '请通过贷款机构的官方 App 或官网上的客服电话核实。',
  again: '再核实一条',
  misconfigured: '这个核实工具的设置不完整，暂时无法使用。',
  notHere: (name: string) =>
    `这个网页没有获准使用真信核实工具。请不要在这里输入短信内容，直接拨打${name}的官方客服电话核实。`,
  offline: '现在连不上核实服务，请检查网络后再试。也可以直接拨打官方客服电话核实。',
  tooMany: (s: number) => `查询太频繁了，请 ${s} 秒后再试，或直接拨打官方客服电话。`,
};

export type Strings = typeof zh;

const en: Strings = {
  title: 'Check whether this message is genuine',
  how: 'How do you want to check?',
  byText: 'Paste the message',
  byLink: 'Link in the message',
  byCode: 'Reference code',
  textLabel: 'Message text',
  textHint: 'Long-press the message, choose “Copy”, and paste it here.',
  linkLabel: 'Link',
  linkHint: 'The whole link from the message, starting with https://',
  codeLabel: 'Reference code',
  codeHint: 'The 8-character code in the message, e.g. K7QX-92M8',
  last4Label: 'Last four digits of the phone that received it',
  submit: 'Check',
  checking: 'Checking…',
  needText: 'Paste the whole message',
  tooLong: 'That is too long: a message is never over 2,000 characters',
  needLink: 'Paste the link from the message',
  needCode: 'Enter the 8-character reference code from the message',
  needLast4: 'Enter 4 digits',
  unreadable: 'We could not read this; check it and try again',
  verdict: {
    genuine: (name) => `Genuine: ${name} sent this message`,
    not_sent: () => 'We did not send this message',
    expired: () => 'This link is from a real message, but it has expired',
  },
  sent: (at, phone) => `Sent ${at} to ${phone}.`,
  expired: 'Open the official app or call the official hotline for the amount due today.',
  advice: {
    high: 'This is very likely a scam. Do not open its links, do not transfer money, never tell anyone a code.',
    medium:
      'Parts of this message are suspicious. Do not open its links or call its numbers; check through official channels first.',
    low: 'This matches no message we sent. Check through official channels before doing anything.',
    none: 'This matches no message we sent. If in doubt, call the official hotline.',
  },
  signs: 'What looks wrong:',
  official: (name) => `${name}: official contacts`,
  hotline: 'Hotline',
  website: 'Website',
  noContacts: 'Check with the hotline shown in the lender’s official app or website.',
  again: 'Check another message',
  misconfigured: 'This check is not set up completely and cannot be used yet.',
  notHere: (name) =>
    `This page is not allowed to use the Zhenxin check. Do not enter your message here; call ${name}’s official hotline instead.`,
  offline: 'We cannot reach the check right now. Check your connection and try again, or call the official hotline.',
  tooMany: (s) => `Too many checks. Try again in ${s} seconds, or call the official hotline.`,
};

export function strings(locale: 'zh-CN' | 'en'): Strings {
  return locale === 'en' ? en : zh;
}
