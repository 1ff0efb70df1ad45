/** Words about staff accounts held back after wrong passwords (merged in ../messages.ts). */
export const signInAlertsZh = {
  'staff.attack.title': '有人在尝试登录员工账户',
  'staff.attack.lead':
    '过去 24 小时内，下列账户因多次输错密码被暂时限制。本人在以前登录过的设备或网络上仍可正常登录；如果不是本人所为，请提醒本人留意，并考虑更换密码。',
  'staff.attack.own':
    '过去 24 小时内，有人多次用错误的密码尝试登录您的账户，已被暂时限制。您以前登录过的设备不受影响。如果不是您本人，请告诉运营人员。',
  'staff.attack.row': '{email}：限制 {lockouts} 次，来自 {addresses} 个地址，最近一次在 {at}',
  'staff.attack.accountWide': '（整个账户的登录已被放慢）',
  'staff.signIn.limitedHint': '如果这是您的账户：在您以前登录过的设备上，输入正确的密码仍可以登录。',
};

export const signInAlertsEn: Record<keyof typeof signInAlertsZh, string> = {
  'staff.attack.title': 'Someone is trying to sign in to staff accounts',
  'staff.attack.lead':
    'In the last 24 hours these accounts were held back after repeated wrong passwords. Their owners can still sign in on devices and networks they used before. If it was not them, let them know and consider a new password.',
  'staff.attack.own':
    'In the last 24 hours someone tried wrong passwords on your account and was held back. Devices you signed in on before are not affected. If it was not you, tell an operator.',
  'staff.attack.row': '{email} — lockouts: {lockouts}; addresses: {addresses}; the last at {at}',
  'staff.attack.accountWide': ' (sign-ins to the whole account were slowed)',
  'staff.signIn.limitedHint':
    'If this is your account: on a device you signed in on before, the right password still works.',
};
