/**
 * The answers of /verify, /embed/verify and /r/<token> that fit what went wrong: the risk as a
 * headline, the calm answers (no match, a mistyped code, a code that does not fit the phone), the
 * marked signs, and the page a throttled check gets (merged into ../messages.ts).
 */
export const verifyAnswersZh = {
  'answer.risk.high': '高风险：很可能是诈骗',
  'answer.risk.medium': '中风险：有可疑之处',
  'answer.risk.low': '低风险：只有催促的字眼',
  'answer.lead.high': '我们没有发出过这条短信。请不要按短信操作，不要转账，不要告诉任何人验证码。',
  'answer.lead.medium': '我们没有发出过这条短信。请不要点击其中的链接或拨打其中的电话，先用官方渠道核实。',
  'answer.lead.low':
    '它与我们发出的任何短信都不一致。除了催促您尽快处理的字眼（真实提醒也会这样写），没有发现诈骗迹象。',
  'answer.none.title': '没有找到这条短信，也没有发现诈骗迹象',
  'answer.none.lead':
    '它与我们发出的任何短信都不一致，但这不一定是诈骗：短信可能在转发时被改动过，或不是通过真信发出的。',
  'answer.noneLink.title': '没有找到这个链接，也没有发现诈骗迹象',
  'answer.noneLink.lead': '它不在我们发出的任何短信里。请检查是否复制了完整的链接，字母大小写是否与短信一致。',
  'answer.codeMismatch.title': '查询码与手机尾号不匹配',
  'answer.codeMismatch.lead':
    '请逐个核对查询码 {code} 和收到短信的手机号后四位 {last4}。两项都没有输错却仍不匹配时，请向贷款机构核实。',
  'answer.codeMismatch.again': '修改查询码或手机尾号，再核实一次',
  'answer.codeMistyped.title': '查询码可能输错了',
  'answer.codeMistyped.lead': '查询码 {code} 可能输错了，请逐个核对字符。这并不说明短信是假的。',
  'answer.howToCheck': '这样向贷款机构核实：',
  'answer.howToCheck.call': '拨打{name}的官方客服电话 {hotline}。不要拨打短信里留的号码。',
  'answer.howToCheck.callAny': '拨打贷款机构官方网站或 App 上公布的客服电话。不要拨打短信里留的号码。',
  'answer.howToCheck.app': '打开官方 App 或网站查看您的账单，不要点击短信里的链接。',
  'answer.howToCheck.code': '真实提醒都带有查询码：可以用查询码和手机号后四位在这里核实。',
  'answer.lenders': '请查看您的贷款机构的官方联系方式：',

  'verify.error.mistyped': '查询码可能输错了，请逐个核对字符',

  'signs.ref': '（可疑之处 {n}）',
  'signs.item': '可疑之处 {n}：',
  'signs.severity.high': '高',
  'signs.severity.medium': '中',
  'signs.severity.low': '低',
  'signs.severity.suffix': '风险',
  'signs.places': '原文中有 {n} 处',

  'limited.lead':
    '这台设备在短时间内核实了太多次。为了防止有人猜测链接和查询码，我们暂停了一会儿；这不是您的操作有问题。',
  'limited.when': '请在 {wait}后再试。',
  'limited.second': '1 秒',
  'limited.seconds': '{n} 秒',
  'limited.minute': '1 分钟',
  'limited.minutes': '{n} 分钟',
  'limited.call': '不想等待，可以直接拨打{name}的官方客服电话核实：',
  'limited.callAny': '不想等待，可以直接拨打您的贷款机构的官方客服电话核实。各机构的官方联系方式：',
  'limited.back': '回到核实页面',
} as const;

export const verifyAnswersEn: Record<keyof typeof verifyAnswersZh, string> = {
  'answer.risk.high': 'High risk: very likely a scam',
  'answer.risk.medium': 'Medium risk: parts of it look suspicious',
  'answer.risk.low': 'Low risk: only words that hurry you',
  'answer.lead.high':
    'We did not send this message. Do not act on it, do not transfer money, and never tell anyone a verification code.',
  'answer.lead.medium':
    'We did not send this message. Do not open its links or call its numbers; check through the official channels first.',
  'answer.lead.low':
    'It does not match any message we sent. Apart from words that hurry you (real reminders use them too), we found no sign of a scam.',
  'answer.none.title': 'No match found, and no sign of a scam',
  'answer.none.lead':
    'It does not match any message we sent, but that does not make it a scam: it may have been changed when forwarded, or sent without Zhenxin.',
  'answer.noneLink.title': 'We could not find this link, and found no sign of a scam',
  'answer.noneLink.lead':
    'It is not in any message we sent. Check that you copied the whole link, with capital and small letters exactly as in the message.',
  'answer.codeMismatch.title': 'The code and the last four digits do not match',
  'answer.codeMismatch.lead':
    'Check each character of the code {code} and the last four digits, {last4}, of the phone that received the message. If both are right and still do not match, check with the lender.',
  'answer.codeMismatch.again': 'Correct the code or the last four digits and check again',
  'answer.codeMistyped.title': 'The code is probably mistyped',
  'answer.codeMistyped.lead':
    'The code {code} is probably mistyped: check each character. It does not mean the message is fake.',
  'answer.howToCheck': 'How to check with the lender:',
  'answer.howToCheck.call': 'Call {name}’s official hotline, {hotline}. Do not call a number given in the message.',
  'answer.howToCheck.callAny':
    'Call the hotline published on the lender’s official website or app. Do not call a number given in the message.',
  'answer.howToCheck.app': 'Open the official app or website to see your bill, not the link in the message.',
  'answer.howToCheck.code':
    'Every genuine reminder carries a reference code: check it here with the last four digits of your phone.',
  'answer.lenders': 'Look up your lender’s official contacts:',

  'verify.error.mistyped': 'The reference code is probably mistyped: check each character',

  'signs.ref': ' (sign {n})',
  'signs.item': 'Sign {n}: ',
  'signs.severity.high': 'High',
  'signs.severity.medium': 'Medium',
  'signs.severity.low': 'Low',
  'signs.severity.suffix': ' risk',
  'signs.places': 'in {n} places in the text',

  'limited.lead':
    'This device has checked many times in a short while. To stop anyone guessing links and codes we pause for a moment; you have done nothing wrong.',
  'limited.when': 'Please try again in {wait}.',
  'limited.second': '1 second',
  'limited.seconds': '{n} seconds',
  'limited.minute': '1 minute',
  'limited.minutes': '{n} minutes',
  'limited.call': 'You need not wait: call {name}’s official hotline to check:',
  'limited.callAny': 'You need not wait: call your lender’s official hotline. The official contacts of each lender:',
  'limited.back': 'Back to the check',
};
