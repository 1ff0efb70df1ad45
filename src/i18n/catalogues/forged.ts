/** The words for a forged copy of a real message (merged into the site catalogue in ../messages.ts). */
export const forgedZh = {
  'forged.title': '这是我们发出的短信被改过的版本',
  'forged.lead':
    '您粘贴的短信带有我们在 {sentAt} 发往 {phone} 的一条短信的链接或查询码，但内容被改过。请以我们发送的原文为准：',
  'forged.changed': '{what}被改过：我们发送的是 {sent}，您收到的是 {received}。',
  'forged.added': '{what}是后加的：我们发送的短信里没有，您收到的是 {received}。',
  'forged.removed': '{what}被删掉了：我们发送的是 {sent}，您收到的短信里没有。',
  'forged.field.amount': '金额',
  'forged.field.date': '日期',
  'forged.field.link': '链接',
  'forged.field.phone': '电话号码',
  'forged.field.account': '账号',
  'forged.field.signature': '签名',
  'forged.field.text': '文字',
  'forged.sent': '我们发送的原文',
  'forged.received': '您收到的短信',
  'forged.legend': '改过的地方已标出，并注明改的是什么。',
  'forged.mark.sent': '原文：',
  'forged.mark.received': '改动后：',
};

export const forgedEn: Record<keyof typeof forgedZh, string> = {
  'forged.title': 'This is a changed copy of a message we sent',
  'forged.lead':
    'The text you pasted carries the link or code of a message we sent to {phone} on {sentAt}, but its contents have been changed. Go by what we sent:',
  'forged.changed': '{what} changed: we sent {sent}; you received {received}.',
  'forged.added': '{what} added: our message had none; you received {received}.',
  'forged.removed': '{what} taken out: we sent {sent}; the text you received does not have it.',
  'forged.field.amount': 'Amount',
  'forged.field.date': 'Date',
  'forged.field.link': 'Link',
  'forged.field.phone': 'Phone number',
  'forged.field.account': 'Account number',
  'forged.field.signature': 'Signature',
  'forged.field.text': 'Wording',
  'forged.sent': 'What we sent',
  'forged.received': 'What you received',
  'forged.legend': 'Each changed part is marked and labelled with what was changed.',
  'forged.mark.sent': 'as sent: ',
  'forged.mark.received': 'changed to: ',
};
