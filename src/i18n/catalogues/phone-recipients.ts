/** Words for choosing which lenders get a new phone number (merged in ../messages.ts). */
export const phoneRecipientsZh = {
  'phoneTo.legend': '哪些贷款机构可以得到您的新号码？',
  'phoneTo.hint': '只有您勾选的机构会得到新号码。我们只默认勾选您还有借款没还清的机构。',
  'phoneTo.loans.one': '1 笔借款',
  'phoneTo.loans.other': '{count} 笔借款',
  'phoneTo.open.overdue.one': '{loans}，逾期 1 天',
  'phoneTo.open.overdue.other': '{loans}，逾期 {days} 天',
  'phoneTo.open.current': '{loans}，未逾期',
  'phoneTo.settledToo': '另有 {loans}已还清',
  'phoneTo.allSettled': '{loans}，都已还清',
  'phoneTo.none': '没有借款',
  'phoneTo.join': '；',
  'phoneTo.reason.no_open_loan': '没有勾选：这家机构没有您未还清的借款，用不到新号码。',
  'phoneTo.reason.disputed': '没有勾选：您对这家机构的记录提出过异议。确认是您的借款才勾选。',
  'phoneTo.unchosen.title': '没有勾选的机构会怎样',
  'phoneTo.unchosen.body':
    '它们得不到新号码，记录里仍是旧号码 {old}。我们会把旧号码标为“已不是您的号码”：真信不再替这些机构给旧号码或新号码发任何提醒；用新号码登录后，这里也不再显示它们的借款。如果还欠它们钱，请打它们的官方客服电话联系。',
  'phoneTo.confirmLead': '输入验证码前请再核对一次：只有下面勾选的机构会得到新号码。',
  'phoneTo.changedShared': '已得到新号码的机构：{lenders}。',
  'phoneTo.error.none': '请至少勾选一家贷款机构。如果不想把新号码给任何机构，就不需要在这里换号。',
  'phoneTo.error.unknown': '请只勾选列表中的贷款机构',
} as const;

export const phoneRecipientsEn: Record<keyof typeof phoneRecipientsZh, string> = {
  'phoneTo.legend': 'Which lenders may have your new number?',
  'phoneTo.hint': 'Only the lenders you tick get the new number. We tick only the lenders you still owe money to.',
  'phoneTo.loans.one': '1 loan',
  'phoneTo.loans.other': '{count} loans',
  'phoneTo.open.overdue.one': '{loans}, 1 day overdue',
  'phoneTo.open.overdue.other': '{loans}, {days} days overdue',
  'phoneTo.open.current': '{loans}, not overdue',
  'phoneTo.settledToo': '{loans} repaid',
  'phoneTo.allSettled': '{loans}, all repaid',
  'phoneTo.none': 'No loans',
  'phoneTo.join': '; ',
  'phoneTo.reason.no_open_loan': 'Not ticked: you owe this lender nothing, so it has no need of your new number.',
  'phoneTo.reason.disputed': 'Not ticked: you disputed this lender’s record. Tick it only if the loan is yours.',
  'phoneTo.unchosen.title': 'What happens with lenders you do not tick',
  'phoneTo.unchosen.body':
    'They do not get the new number; their record keeps your old number, {old}. We mark the old number as no longer yours: Zhenxin sends no reminder for them to the old number or the new one, and once you sign in with the new number their loans are no longer shown here. If you still owe them money, call their official hotline.',
  'phoneTo.confirmLead': 'Check once more before entering the code: only the lenders ticked below get the new number.',
  'phoneTo.changedShared': 'Lenders given the new number: {lenders}.',
  'phoneTo.error.none':
    'Tick at least one lender. If no lender should have your new number, there is nothing to change here.',
  'phoneTo.error.unknown': 'Tick only lenders from the list',
};
