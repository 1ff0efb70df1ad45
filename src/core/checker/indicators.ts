import type { Extracted } from './extract.ts';
import { type NormalizedText, textRangeOfCompact } from './normalize.ts';
import {
  imitatedHotline,
  lookalikeHotline,
  mobileAsOfficial,
  overseasAsOfficial,
  presentedAsOfficial,
} from './numbers.ts';
import {
  type HostFacts,
  type HostVerdict,
  isOfficialNumber,
  type LenderIndex,
  RISKY_TLDS,
  SHORTENERS,
} from './officials.ts';
import type { ReportedIndex } from './reported.ts';
import type { Severity } from './types.ts';

/**
 * The signs of a scam, as data: each entry says what it is called, how bad it is, how to explain it
 * to a worried borrower, and how to find it. Adding a pattern is one entry here and one test.
 * `match` returns normalised ranges; the checker maps them back to the original text.
 */

export type Explanation = { 'zh-CN': string; en: string };

export interface Evidence {
  /** Normalised range [start, end). */
  start: number;
  end: number;
  /** Overrides for this piece of evidence (a look-alike domain names the domain it imitates). */
  severity?: Severity;
  decisive?: boolean;
  explanation?: Explanation;
  /** The evidence to show instead of the text in the range: a reported domain names the domain, not the link's host as written. */
  text?: string;
}

export interface UrlFacts {
  facts: HostFacts;
  verdict: HostVerdict;
}

export interface CheckContext {
  norm: NormalizedText;
  extracted: Extracted;
  /** The lender the text claims to be from, if recognised. */
  lender: LenderIndex | null;
  /** The lenders whose contacts count as official here: the claimed one, else all. */
  lenders: readonly LenderIndex[];
  /** One per extracted link, judged against `lenders`. */
  urls: UrlFacts[];
  /** Normalised ranges of phrases found only after taking out obfuscating separators. */
  obfuscated: Array<[number, number]>;
  /** Every lender on the service, whichever the text claims: what any of them owns is never a reported scam item. */
  everyLender: readonly LenderIndex[];
  /** Domains and numbers support staff confirmed in scam reports, when the caller knows them. */
  reported: ReportedIndex | null;
}

export interface IndicatorDefinition {
  id: string;
  severity: Severity;
  decisive: boolean;
  explanation: Explanation;
  match: (context: CheckContext) => Evidence[];
}

// Phrase matching ----------------------------------------------------------------------------

/** Where a clause begins: after sentence or clause punctuation, or ". " in English. */
function clauseStart(text: string, index: number): number {
  const limit = Math.max(0, index - 80);
  for (let i = index - 1; i >= limit; i--) {
    const c = text[i];
    if (c === '。' || c === '!' || c === '?' || c === ';' || c === ',' || c === ':' || c === '\n') return i + 1;
    if (c === '.' && (text[i + 1] === ' ' || i + 1 === index)) return i + 1;
  }
  return limit;
}

const NEGATOR =
  /不会|不要|请勿|切勿|勿|绝不|决不|从不|从未|不得|不可|禁止|不索要|不索取|谨防|警惕|防范|并无|无需|不需要|不用|不存在|没有所谓|别(?:把|将|向|给|转|泄|告|相信|信|点)|\b(?:never|not|don't|do not|won't|will not|no one|nobody|cannot|can't|doesn't|does not)\b/gi;
const RESET = /并|但|而是|然后|再|\b(?:and|but|then|instead)\b/gi;

/** "我们不会要求您转账到个人账户" warns against the thing it names; "不要告诉别人，并把验证码发给我" does not. */
function isNegated(text: string, index: number): boolean {
  const from = clauseStart(text, index);
  const window = text.slice(from, index);
  let lastNegator = -1;
  NEGATOR.lastIndex = 0;
  for (let m = NEGATOR.exec(window); m; m = NEGATOR.exec(window)) lastNegator = m.index + m[0].length;
  if (lastNegator < 0) return false;
  RESET.lastIndex = lastNegator;
  return !RESET.test(window);
}

interface Pattern {
  re: RegExp;
  /** A warning that names the thing ("we never ask for…") does not count. */
  negatable?: boolean;
  severity?: Severity;
  decisive?: boolean;
  /** Its own words, when the indicator's general explanation does not fit this kind of evidence. */
  explanation?: Explanation;
}

function overlapsAny(ranges: ReadonlyArray<{ start: number; end: number }>, start: number, end: number): boolean {
  for (const r of ranges) if (start < r.end && end > r.start) return true;
  return false;
}

/** Enough to show a reader; bounds the work on a pasted novel. */
const MAX_PHRASES = 48;

/** Every match of the patterns in the text, then in the de-obfuscated text (recorded as obfuscation). */
export function findPhrases(context: CheckContext, patterns: readonly Pattern[]): Evidence[] {
  const { norm } = context;
  const text = context.extracted.masked;
  const found: Evidence[] = [];
  for (const p of patterns) {
    for (const m of text.matchAll(p.re)) {
      if (found.length >= MAX_PHRASES) break;
      if (m[0].length === 0) continue;
      if (p.negatable !== false && isNegated(text, m.index)) continue;
      const end = m.index + m[0].length;
      if (overlapsAny(found, m.index, end)) continue;
      found.push(withOverrides({ start: m.index, end }, p));
      // Found only by reading "vеrificаtion" or "l0an" as the letters they imitate.
      if (touches(context.extracted.folded, m.index, end)) context.obfuscated.push([m.index, end]);
    }
  }
  if (norm.compactToText.length > 0) {
    for (const p of patterns) {
      for (const m of norm.compact.matchAll(p.re)) {
        if (found.length >= MAX_PHRASES) break;
        if (m[0].length === 0) continue;
        const [start, end] = textRangeOfCompact(norm, m.index, m.index + m[0].length);
        if (overlapsAny(found, start, end) || text.slice(start, end).includes('\u0000')) continue;
        if (p.negatable !== false && isNegated(text, start)) continue;
        found.push(withOverrides({ start, end }, p));
        context.obfuscated.push([start, end]);
      }
    }
  }
  return found;
}

function touches(sorted: readonly number[], start: number, end: number): boolean {
  for (const at of sorted) {
    if (at >= end) return false;
    if (at >= start) return true;
  }
  return false;
}

function withOverrides(evidence: Evidence, p: Pattern): Evidence {
  if (p.severity !== undefined) evidence.severity = p.severity;
  if (p.decisive !== undefined) evidence.decisive = p.decisive;
  if (p.explanation !== undefined) evidence.explanation = p.explanation;
  return evidence;
}

const phrases =
  (...patterns: Pattern[]) =>
  (context: CheckContext): Evidence[] =>
    findPhrases(context, patterns);

// Links --------------------------------------------------------------------------------------

/** The official addresses, joined as each language lists things (“a、b” in Chinese, “a, b” in English). */
function officialList(lenders: readonly LenderIndex[], separator: string): string {
  const all = new Set<string>();
  for (const l of lenders) for (const d of l.domains) all.add(d.host);
  return [...all].slice(0, 6).join(separator);
}

/** The host as written, with any "official.cn@" disguise in front of it. */
export function hostEvidence(context: CheckContext, i: number, extra: Partial<Evidence> = {}): Evidence {
  const note = context.extracted.urlNotes[i];
  if (!note) return { start: 0, end: 0, ...extra };
  const start = note.userinfo ? note.hostStart - note.userinfo.length - 1 : note.hostStart;
  return { start, end: note.hostEnd, ...extra };
}

function eachUrl(context: CheckContext, pick: (url: UrlFacts, i: number) => Partial<Evidence> | boolean): Evidence[] {
  const out: Evidence[] = [];
  context.urls.forEach((url, i) => {
    const picked = pick(url, i);
    if (picked === false) return;
    out.push(hostEvidence(context, i, picked === true ? {} : picked));
  });
  return out;
}

// Numbers ------------------------------------------------------------------------------------

/** Public numbers anyone may be told to call: the anti-fraud line, regulators, government and carrier hotlines. */
export const PUBLIC_NUMBERS: ReadonlySet<string> = new Set([
  '96110',
  '12381',
  '12321',
  '12315',
  '12345',
  '12378',
  '12363',
  '10086',
  '10010',
  '10000',
  '10099',
]);

function officialHotlines(lenders: readonly LenderIndex[], separator: string): string {
  return [...new Set(lenders.flatMap((l) => l.contacts.hotlines))].slice(0, 4).join(separator);
}

function eachPhone(
  context: CheckContext,
  keep: (kind: string, digits: string) => boolean,
): Array<Evidence & { digits: string }> {
  const out: Array<Evidence & { digits: string }> = [];
  const { phones } = context.extracted.extraction;
  phones.forEach((phone, i) => {
    const note = context.extracted.phoneNotes[i];
    if (!note || !keep(phone.kind, phone.digits)) return;
    if (isOfficialNumber(context.lenders, phone.digits)) return;
    out.push({ start: note.start, end: note.end, digits: phone.digits });
  });
  return out;
}

// Transfers to an account ----------------------------------------------------------------------

const TRANSFER_BEFORE_ACCOUNT =
  /(?:转账|转帐|转入|转到|转至|转给|汇款|汇入|汇到|汇至|打款|打到|打入|存入|付款|还款|还到|缴纳)[^。!?;\n]{0,24}$/;
/** The verb nearest the account: "欠款已转入我司，请转账至 6228…" shows "转账至 6228…". */
const LAST_TRANSFER_VERB =
  /.*(?:转账|转帐|转入|转到|转至|转给|汇款|汇入|汇到|汇至|打款|打到|打入|存入|付款|还款|还到|缴纳)/s;
const TRANSFER_EN_BEFORE_ACCOUNT = /\b(?:transfer|send|wire|pay|deposit|remit)\w*\b[^.;!?\n]{0,40}$/i;

const CORPORATE_ACCOUNT = /对公[账帐]户|公司[账帐]户|\b(?:corporate|company) (?:bank )?account\b/i;

function transferToListedAccount(context: CheckContext): Evidence[] {
  const out: Evidence[] = [];
  const { masked } = context.extracted;
  for (const note of context.extracted.accountNotes) {
    const digits = masked.slice(note.start, note.end).replace(/\D/g, '');
    if (context.lenders.some((l) => l.accountDigits.has(digits))) continue;
    const before = masked.slice(Math.max(0, note.start - 40), note.start);
    const verb = TRANSFER_BEFORE_ACCOUNT.exec(before) ?? TRANSFER_EN_BEFORE_ACCOUNT.exec(before);
    // A company's own account, named as such, is how a lender may ask to be repaid.
    if (!verb || CORPORATE_ACCOUNT.test(verb[0])) continue;
    // Every verb above is two characters long.
    const last = LAST_TRANSFER_VERB.exec(verb[0]);
    const start = note.start - before.length + verb.index + (last ? last[0].length - 2 : 0);
    if (isNegated(masked, start)) continue;
    out.push({ start, end: note.end });
  }
  return out;
}

/**
 * Paying by scanning a code someone sent: whose account the money reaches cannot be seen, and a
 * lender takes payments only in its app or to the company account it publishes.
 */
const QR_PAYMENT: Pattern = {
  re: /扫码(?:付款|支付|转账|还款|缴纳|缴费|充值)|(?:扫(?:描|一扫)?|识别)[^。!?;\n]{0,12}?(?:二维码|付款码|收款码|qr ?code)[^。!?;\n]{0,12}?(?:付款|支付(?!密码)|转账|还款|缴纳|缴清|缴费|充值|结清|还清|收款)|(?:付款|支付|还款|转账|缴费)二维码|收款码|\bscan\w*\b[^.;!?\n]{0,40}?\bqr(?: ?code)?\b[^.;!?\n]{0,40}?\b(?:pay|repay|transfer|settle|clear)\w*\b|\b(?:pay|repay|settle|transfer)\w*\b[^.;!?\n]{0,40}?\bscan\w*\b[^.;!?\n]{0,30}?\bqr\b|\b(?:payment|wechat pay|alipay) qr(?: ?code)?\b/gi,
  explanation: {
    'zh-CN':
      '短信要您扫二维码付款。扫码付出的钱进了谁的账户，您根本看不到；正规贷款机构只在官方 App 或公布的对公账户收款。',
    en: 'The text asks you to pay by scanning a QR code. You cannot see whose account the money reaches; a real lender takes payments only in its official app or to the company account it publishes.',
  },
};

// Signatures ---------------------------------------------------------------------------------

/** 【signature】 anywhere; [signature] only at the start or end, where phones put it. */
const SIGNATURE_IN_TEXT = /【([^【】[\]\n]{1,30})】|\[([^【】[\]\n]{1,30})\]/g;

function signatureMismatch(context: CheckContext): Evidence[] {
  const lender = context.lender;
  if (!lender) return [];
  const out: Evidence[] = [];
  const sigs = context.extracted.extraction.signatures;
  const text = context.extracted.masked;
  let official = false;
  for (const m of text.matchAll(SIGNATURE_IN_TEXT)) {
    const inner = (m[1] ?? m[2] ?? '').trim();
    const squareAtEdge = m[2] !== undefined && (m.index === 0 || m.index + m[0].length === text.length);
    if (m[2] !== undefined && !squareAtEdge) continue;
    if (!/\p{L}/u.test(inner) || inner.includes('\u0000')) continue;
    if (inner === lender.signature) {
      official = true;
      continue;
    }
    out.push({
      start: m.index,
      end: m.index + m[0].length,
      explanation: {
        'zh-CN': `${lender.contacts.name}的短信签名只有【${lender.contacts.signature}】。这条短信用的是“${inner}”，不是它的官方签名。`,
        en: `${lender.contacts.nameEn} signs its messages only as 【${lender.contacts.signature}】. This one is signed “${inner}”, which is not its signature.`,
      },
    });
  }
  if (out.length > 0 || official || sigs.length > 0) return out;
  // The brand is named in the text but the message carries no signature at all.
  for (const brand of lender.hanBrands) {
    const at = text.indexOf(brand);
    if (at >= 0) {
      out.push({
        start: at,
        end: at + brand.length,
        explanation: {
          'zh-CN': `这条短信自称来自“${brand}”，却没有【${lender.contacts.signature}】签名。正规短信开头或结尾都带有官方签名。`,
          en: `This text names “${brand}” but carries no 【${lender.contacts.signature}】 signature. Real messages always carry the official signature.`,
        },
      });
      break;
    }
  }
  if (out.length > 0) return out;
  // The same in Latin letters: "Qinghe Finance: …" with no signature at all.
  // ASCII only, so offsets stay those of the text ("İ".toLowerCase() is two units long).
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  for (const brand of lender.asciiBrands) {
    const at = wordAt(lower, brand);
    if (at < 0) continue;
    const written = text.slice(at, at + brand.length);
    out.push({
      start: at,
      end: at + brand.length,
      explanation: {
        'zh-CN': `这条短信自称来自“${written}”，却没有【${lender.contacts.signature}】签名。正规短信开头或结尾都带有官方签名。`,
        en: `This text names “${written}” but carries no 【${lender.contacts.signature}】 signature. Real messages always carry the official signature.`,
      },
    });
    break;
  }
  return out;
}

/** Where `word` first stands as a word of its own (not inside "qinghexyz" or an ID like "qhxf2026"). */
function wordAt(text: string, word: string): number {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = text.charCodeAt(at - 1);
    const after = text.charCodeAt(at + word.length);
    if (!isWordCode(before) && !isWordCode(after)) return at;
  }
  return -1;
}

function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || code === 95;
}

// Codes --------------------------------------------------------------------------------------

const CODE_WORDS: Pattern = {
  re: /验证码|动态码|动态密码|校验码|短信码|确认码|认证码|授权码|激活码|一次性密码|验证ma|yan证码|yanzhengma|(?<![a-z])y[ .*·-]?z[ .*·-]?m(?![a-z])|\b(?:verification|security|confirmation|one[- ]time|sms|otp|authori[sz]ation|auth|access|login|activation)\s+(?:code|pin)s?\b|\bone[- ]time pass(?:word|code)s?\b|\botps?\b|\bcode (?:we|you) (?:just )?(?:sent|received|texted|got)\b/gi,
};
const CODE_REQUESTS: Pattern = {
  re: /(?:告诉|提供|发给|报给|报一下|回复|转发|念给|读给|告知|发送给|截图给?)(?:给)?(?:我|我们|客服|工作人员|专员|经理|对方|老师|警官)?[^。!?;\n]{0,8}?(?:收到的|手机上的|短信里的|短信中的)?(?:数字|(?<![密号])码)|\b(?:tell|give|send|read|forward|share|reply|provide)\w*\b[^.;!?\n]{0,25}\bcodes?\b/gi,
};
/** The warning in a genuine one-time-code message: "请勿告诉他人", "do not share it with anyone". */
const CODE_WARNING =
  /(?:请勿|切勿|不要|勿|谨防)[^。!?;\n]{0,6}(?:泄露|告诉|透露|转发|提供|告知|转告)[^。!?;\n]{0,4}(?:他人|任何人|别人|陌生人)|\b(?:do not|don't|never)\s+(?:share|tell|give|disclose|forward)\b[^.;!?\n]{0,25}\b(?:anyone|anybody|others|to anyone)\b/i;
const CODE_ASKED =
  /(?:告诉|提供|发给|报给|回复|转发|念给|读给|告知|发送给)(?:给)?(?:我|我们|客服|工作人员|专员|经理|对方|老师|警官)|\b(?:tell|give|send|read|forward|share|reply|provide)\w*\s+(?:it\s+|the code\s+)?(?:to\s+)?(?:us|me|our (?:agent|staff|officer))\b/i;

function asksForCode(context: CheckContext): Evidence[] {
  const text = context.extracted.masked;
  const obfuscatedBefore = context.obfuscated.length;
  const words = findPhrases(context, [CODE_WORDS]);
  if (words.length > 0) {
    // A one-time-code message that warns not to share the code is not asking for it.
    if (!CODE_WARNING.test(text) || CODE_ASKED.test(text)) return words;
    context.obfuscated.length = obfuscatedBefore;
    return [];
  }
  // "告诉我收到的数字" is a code only when it says so: a code, or a few digits ("6位数字").
  const requests = findPhrases(context, [CODE_REQUESTS]).filter((e) =>
    /码|code|[\d四五六七八]位数字|\d-digit/i.test(text.slice(e.start, e.end)),
  );
  if (requests.length === 0) context.obfuscated.length = obfuscatedBefore;
  return requests;
}

// Passwords, ID and card numbers ---------------------------------------------------------------

/** Secrets: naming them in a text is already asking for them. */
const SECRETS: Pattern = {
  re: /(?<!动态|短信|一次性)密码|cvv2?|cvn2?|卡背面|卡片背面|背面(?:的)?(?:三位|3位|后三位)|u盾|\b(?:passwords?|passcodes?|pin(?: code| number)?|cvv2?|cvc|card security code)\b|\b(?:three|3)[- ]digits? (?:code )?on the back\b|\bback of (?:your|the) card\b/gi,
  severity: 'high',
  decisive: true,
};
/** ID and card numbers: decisive when the text asks for them, a story detail otherwise ("卡号错误导致冻结"). */
const ID_OR_CARD: Pattern = {
  re: /手持身份证|身份证(?:号码|号|照片|正反面|信息|后六位)?|身分证(?:字号|号码|号)?|(?<![a-z])sfz(?![a-z])|银行卡(?:号|信息|照片)|信用卡号|(?<![a-z])yhk号?(?![a-z])|卡号|社保卡号|护照号|\b(?:id (?:card )?number|id cards?|identity card|national id|passport number|card number|bank card (?:number|details)|card details)\b/gi,
};
const OTHER_PERSONAL: Pattern = {
  re: /人脸识别|刷脸|\b(?:account number|date of birth|selfie)\b/gi,
};
const REQUEST_BEFORE =
  /(?:提供|回复|回覆|发送|发给|发来|请发|填写|填入|输入|登记|上传|拍照|拍摄|告知|告诉|报给|核对|提交|录入|绑定|完善|补充|更新|验证|确认)|\b(?:provide|send|reply|enter|submit|upload|confirm|verify|update|give|tell|share|type|fill|log in|sign in|input|text|email|message)\w*\b/i;
const HANDED_OVER_AFTER = /^[^。!?;\n]{0,10}?(?:发给|发送给|告诉|告知|报给|提供给|交给|拍给)/;

/** The clause before asks for it ("请提供身份证号"), or it is handed over after ("把身份证号发给我"). */
function isRequested(text: string, start: number, end: number): boolean {
  const before = text.slice(clauseStart(text, start), start);
  if (REQUEST_BEFORE.test(before)) return true;
  return /(?:将|把)/.test(before) && HANDED_OVER_AFTER.test(text.slice(end, end + 16));
}

function asksForPasswordOrId(context: CheckContext): Evidence[] {
  const text = context.extracted.masked;
  const secrets = findPhrases(context, [SECRETS]);
  const ids = findPhrases(context, [ID_OR_CARD])
    .filter((e) => !overlapsAny(secrets, e.start, e.end))
    .map((e) => (isRequested(text, e.start, e.end) ? { ...e, severity: 'high' as const, decisive: true } : e));
  const taken = [...secrets, ...ids];
  const other = findPhrases(context, [OTHER_PERSONAL]).filter((e) => !overlapsAny(taken, e.start, e.end));
  return [...taken, ...other];
}

/** The fee itself (decisive) and the story told before it (medium). */
const feePhrases = phrases(
  // A fee demanded before anything is released, unfrozen, cancelled or repaired: decisive.
  {
    re: /解冻(?:费|金)|保证金|刷流水|验资|激活费|放款费|出款费|拨款费|审核费|认证费|工本费|风险金|押金|保全费|撤诉费|撤案费|预付(?:款|费|利息)|(?:证明|验证)还款能力/g,
    severity: 'high',
    decisive: true,
  },
  {
    re: /(?:(?:缴纳|支付|交纳|缴|交|付|充值|开通)[^。!?;\n]{0,6}?(?:手续费|服务费|费用|会员费|会员|诉讼费)|(?:手续费|服务费|费用|会员费)[^。!?;\n]{0,3}?\d+ ?元?)[^。!?;\n]{0,12}?(?:解冻|解除|放款|拨款|到账|提现|出款|激活|注销|取消|修复|洗白|消除|删除|撤销|撤诉|撤案|恢复|解封|提额|审核)|(?:解冻|解除|放款|拨款|到账|提现|出款|激活|注销|取消|修复|洗白|消除|删除|撤销|撤诉|撤案|恢复|解封|提额|审核)[^。!?;\n]{0,12}?(?:(?:缴纳|支付|交纳|缴|交|付|充值|开通)[^。!?;\n]{0,6}?(?:手续费|服务费|费用|会员费|会员|诉讼费)|(?:手续费|服务费|费用|会员费)[^。!?;\n]{0,3}?\d+ ?元?|先交|预付)/g,
    severity: 'high',
    decisive: true,
  },
  {
    re: /\b(?:unfreez\w*|release|activation|processing|verification|unlock\w*|guarantee|insurance|advance|membership|handling|clearance)\s+(?:fees?|deposits?|charges?)\b|\b(?:deposit|pay|fee)\b[^.;!?\n]{0,30}?\b(?:to|before|so)\b[^.;!?\n]{0,20}?\b(?:release|unfreeze|unlock|disburse|activate)\w*\b|\b(?:repair|fix|remov|clear|clean|delet|cancel|unlock|unfreez|releas|restor)\w*\b[^.;!?\n]{0,30}?\b(?:for a|pay\w*|a)\s+(?:small\s+)?fees?\b|\b(?:pay\w*|a|the)\s+(?:small\s+)?fees?\b[^.;!?\n]{0,30}?\bto (?:repair|fix|remove|clear|clean|delete|cancel|unlock|unfreeze|release|restore)\b|\bprove (?:your )?(?:repayment|financial) (?:ability|capacity)\b/gi,
    severity: 'high',
    decisive: true,
  },
  // The story that comes before the fee: something is frozen or failed.
  {
    re: /(?:[账帐]户|银行卡|资金|借款|贷款|款项|额度)(?:被|已|已被|遭)?冻结|(?:放款|提现|出款|到账|拨款)(?:失败|受限|异常)|卡号(?:错误|有误)|流水不足|解冻/g,
  },
  {
    re: /\b(?:account|funds|loan|card) (?:is |has been |was )?frozen\b|\bfrozen (?:account|funds|loan)s?\b/gi,
  },
);
const NO_FEE = /无需|不需|无须|不用|免费|不收|不会|\b(?:no|free|never|without)\b/i;

// The definitions --------------------------------------------------------------------------

const zhList = (lenders: readonly LenderIndex[]) => officialList(lenders, '、') || '官方公布的网址';
const enList = (lenders: readonly LenderIndex[]) => officialList(lenders, ', ') || 'the addresses it publishes';

export const INDICATORS: readonly IndicatorDefinition[] = [
  {
    id: 'lookalike_domain',
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': '这个网址冒充了官方网址：只差一两个字母、换了后缀，或用了长得一样的字符。打开它可能被骗走钱或账户。',
      en: 'This link imitates the official address: a letter or two changed, a different ending, or characters that look the same. Opening it can cost you money or your account.',
    },
    match: (context) =>
      eachUrl(context, ({ verdict }) => {
        if (verdict.kind !== 'lookalike') return false;
        const name = verdict.lender.contacts;
        return {
          explanation: {
            'zh-CN': `这个网址冒充${name.name}的官方网址 ${verdict.imitated}${verdict.confusable ? '：看起来一模一样，其实用了不同的字符' : '：只差几个字母或换了后缀'}。官方网址只有：${zhList([verdict.lender])}。`,
            en: `This link imitates ${name.nameEn}’s official address ${verdict.imitated}${verdict.confusable ? ': it looks identical but uses different characters' : ': a few letters or the ending are different'}. The only official addresses are: ${enList([verdict.lender])}.`,
          },
        };
      }),
  },
  {
    id: 'official_as_subdomain',
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': '这个网址把官方网址放在前面做伪装，真正打开的是另一个网站。',
      en: 'This link puts the official address in front as a disguise; it actually opens a different website.',
    },
    match: (context) =>
      eachUrl(context, ({ verdict, facts }) => {
        if (verdict.kind !== 'official_as_subdomain') return false;
        return {
          explanation: {
            'zh-CN': `网址里虽然出现了 ${verdict.imitated}，但真正打开的是 ${facts.domain}，不是${verdict.lender.contacts.name}的网站。`,
            en: `The link shows ${verdict.imitated}, but it really opens ${facts.domain}, which is not ${verdict.lender.contacts.nameEn}’s website.`,
          },
        };
      }),
  },
  {
    id: 'brand_in_foreign_domain',
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': '这个网址里有贷款机构的名字，但网站不是它的。骗子常用这种名字让人放心。',
      en: 'This link contains the lender’s name, but the website is not the lender’s. Scammers use such names to look trustworthy.',
    },
    match: (context) =>
      eachUrl(context, ({ verdict, facts }) => {
        if (verdict.kind !== 'brand') return false;
        return {
          explanation: {
            'zh-CN': `${facts.domain} 用了“${verdict.brand}”这个名字，但不是${verdict.lender.contacts.name}的网站。官方网址只有：${zhList([verdict.lender])}。`,
            en: `${facts.domain} uses the name “${verdict.brand}” but is not ${verdict.lender.contacts.nameEn}’s website. The only official addresses are: ${enList([verdict.lender])}.`,
          },
        };
      }),
  },
  {
    id: 'non_official_domain',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '这个网址不是该贷款机构公布的官方网址。不要在里面输入任何信息或付款。',
      en: 'This link is not one of the addresses the lender publishes. Do not enter anything or pay there.',
    },
    match: (context) => {
      const lender = context.lender;
      if (!lender) return [];
      return eachUrl(context, ({ verdict, facts }, i) => {
        if (verdict.kind !== 'other' || context.extracted.urlNotes[i]?.isIp || SHORTENERS.has(facts.domain))
          return false;
        return {
          explanation: {
            'zh-CN': `${facts.domain} 不是${lender.contacts.name}的网址。它的官方网址只有：${zhList([lender])}。`,
            en: `${facts.domain} is not ${lender.contacts.nameEn}’s address. Its only official addresses are: ${enList([lender])}.`,
          },
        };
      });
    },
  },
  {
    id: 'url_shortener',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '这是一个短网址，点开前看不出会跳到哪里。正规贷款机构只用自己的官方短链接。',
      en: 'This is a shortened link: you cannot see where it leads before you tap. A real lender uses only its own official short links.',
    },
    match: (context) =>
      eachUrl(context, ({ verdict, facts }) => verdict.kind === 'other' && SHORTENERS.has(facts.domain)),
  },
  {
    id: 'raw_ip_link',
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': '这个链接是一串数字地址（IP），没有正规网站名。正规机构不会让您打开这样的链接。',
      en: 'This link is a bare number address (an IP) with no website name. A real company never asks you to open such a link.',
    },
    match: (context) =>
      eachUrl(context, ({ verdict }, i) => verdict.kind !== 'official' && context.extracted.urlNotes[i]?.isIp === true),
  },
  {
    id: 'risky_tld',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '这个网址的后缀（如 .top、.xyz、.vip）注册便宜，常被诈骗网站使用。',
      en: 'This link ends in a cheap domain ending (such as .top, .xyz, .vip) that scam sites often use.',
    },
    match: (context) =>
      eachUrl(context, ({ verdict, facts }) => {
        if (verdict.kind === 'official') return false;
        const tld = facts.suffix.slice(facts.suffix.lastIndexOf('.') + 1);
        return RISKY_TLDS.has(tld);
      }),
  },
  {
    id: 'non_official_number',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '这个电话不是贷款机构公布的客服电话。请只拨打官方网站或合同上的号码。',
      en: 'This number is not one of the lender’s published hotlines. Call only the number on its official website or your contract.',
    },
    match: (context) => {
      const found = eachPhone(context, (kind, digits) => {
        if (kind !== 'service' && kind !== 'landline') return false;
        return !PUBLIC_NUMBERS.has(digits) && !digits.startsWith('106');
      });
      const lender = context.lender;
      const hotlines = lender ? officialHotlines([lender], '、') : '';
      const hotlinesEn = lender ? officialHotlines([lender], ', ') : '';
      return found.map((e): Evidence => {
        const imitated = imitatedHotline(context.lenders, e.digits);
        if (imitated) return lookalikeHotline(e, imitated);
        if (!lender || !hotlines) return e;
        return {
          ...e,
          explanation: {
            'zh-CN': `这个电话不是${lender.contacts.name}的客服电话。官方客服电话：${hotlines}。`,
            en: `This number is not ${lender.contacts.nameEn}’s hotline. The official hotline: ${hotlinesEn}.`,
          },
        };
      });
    },
  },
  {
    id: 'personal_mobile_contact',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '短信里留了一个个人手机号。正规贷款机构只用官方客服电话，不会让您打给或添加个人手机。',
      en: 'The text gives a personal mobile number. A real lender uses only its official hotline and never asks you to call or add someone’s mobile.',
    },
    match: (context) =>
      eachPhone(context, (kind) => kind === 'mobile').map((e) =>
        presentedAsOfficial(context, e.start, e.end) ? mobileAsOfficial(context, e) : e,
      ),
  },
  {
    id: 'overseas_number',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '这是一个境外电话号码。国内贷款机构不会用境外号码联系您，境外来电是诈骗的常见特征。',
      en: 'This is an overseas phone number. A Chinese lender does not contact you from abroad; overseas numbers are common in scams.',
    },
    match: (context) =>
      eachPhone(context, (kind) => kind === 'foreign').map((e) =>
        presentedAsOfficial(context, e.start, e.end) ? overseasAsOfficial(context, e) : e,
      ),
  },
  {
    id: 'chat_app_move',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '短信要您加微信、QQ 或其他聊天软件。正规贷款机构不会通过私人聊天账号处理借款或还款。',
      en: 'The text asks you to move to WeChat, QQ, WhatsApp, Telegram or another chat app. A real lender never handles loans or repayments through private chat accounts.',
    },
    match: phrases({
      re: /加(?:微信|薇信|威信|vx|v信|微|v(?![a-z])|line|赖)|(?<![a-z])v[^a-z0-9\u4e00-\u9fff\s]{1,4}信|✈|\bline ?[:@]|(?<![a-z])line ?(?:id(?![a-z])|群组|群|账号|帐号)|(?:加入|添加)[^。!?;\n]{0,6}?line(?![a-z])|微信(?!小程序|公众号)|薇信|威信|徽信|维信|(?<![a-z])(?:vx|wx|wechat|weixin)(?![a-z])|v信|(?<![a-z])qq(?![a-z])|扣扣|企鹅号|纸飞机|飞机(?:号|群|app|软件|聊天)|加飞机|(?<![a-z])tg(?![a-z])|(?:加|添加)(?:好友|群)|私聊|\b(?:whatsapp|telegram|viber|kakaotalk|skype|line id|signal app)\b|\bon signal\b/gi,
    }),
  },
  {
    id: 'asks_for_code',
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': '短信向您索要或提到验证码。验证码等于您的账户钥匙，任何人向您要验证码都是诈骗。',
      en: 'The text asks for (or mentions) a verification code. A code is the key to your account: anyone asking for it is a scammer.',
    },
    match: asksForCode,
  },
  {
    id: 'asks_for_password_or_id',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '短信要您提供密码、身份证号、银行卡号或卡背面的数字。正规贷款机构不会通过短信或电话索要这些。',
      en: 'The text asks for a password, ID number, card number or the digits on the back of your card. A real lender never asks for these by text or phone.',
    },
    match: asksForPasswordOrId,
  },
  {
    id: 'transfer_to_safe_account',
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': '短信要您把钱转到“安全账户”、指定账户或个人账户。没有任何正规机构有“安全账户”，这是典型诈骗。',
      en: 'The text asks you to move money to a “safe”, designated or personal account. No real company or authority has a “safe account”: this is a classic scam.',
    },
    match: (context) => {
      const phrases = findPhrases(context, [
        {
          re: /(?:安全|监管|清查|核查|审查|保护|过渡|中间|验资|资金核查|对公验证)[账帐](?:户|号)|资金(?:清查|核查)/g,
        },
        {
          re: /(?:转账|转帐|转入|转到|转至|转给|转移|汇款|汇入|汇到|汇至|打款|打到|打入|存入|储值|充值|付款到|缴纳至|缴到|还款至|还款到|还至|还到)[^。!?;\n]{0,20}?(?:(?:指定|个人|私人|验证|备用|专用|第三方|新)(?:的)?[账帐](?:户|号)|(?:专员|客服|经理|工作人员|我|他|她)(?:的)?(?:个人)?(?:银行卡|卡|支付宝|微信|[账帐]户|[账帐]号)|(?:支付宝|zfb|微信|wx|vx)(?:的)?(?:[账帐](?:号|户)|号))/gi,
        },
        {
          re: /(?:指定|个人|私人|验证|备用|专用|第三方)[账帐](?:户|号)[^。!?;\n]{0,20}?(?:转账|转帐|转入|汇款|汇入|打款|存入|充值)/g,
        },
        {
          re: /\b(?:transfer|move|send|wire|deposit|pay|remit)\w*\b[^.;!?\n]{0,40}?\b(?:safe|secure|safety|protected|designated|personal|private|holding|verification|supervis(?:ed|ion)|escrow|special|temporary|new)\s+(?:bank\s+)?accounts?\b|\bsafe(?:ty)?\s+accounts?\b|\b(?:transfer|send|wire|pay)\w*\b[^.;!?\n]{0,30}?\bto (?:my|his|her|our agent's|the agent's) (?:personal )?(?:account|card)\b/gi,
        },
      ]);
      const qr = findPhrases(context, [QR_PAYMENT]).filter((e) => !overlapsAny(phrases, e.start, e.end));
      const taken = [...phrases, ...qr];
      const accounts = transferToListedAccount(context).filter((e) => !overlapsAny(taken, e.start, e.end));
      return [...taken, ...accounts];
    },
  },
  {
    id: 'screen_sharing',
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': '短信要您开屏幕共享、进视频会议或装远程控制软件。这样骗子能看到您的验证码和密码，直接转走您的钱。',
      en: 'The text asks you to share your screen, join a video meeting or install remote-control software. That lets a scammer see your codes and passwords and take your money.',
    },
    match: phrases({
      re: /(?:屏幕|萤幕|荧幕|螢幕)(?:共享|分享)|(?:共享|分享)(?:屏幕|萤幕|荧幕|螢幕)|远端(?:协助|控制|桌面)|开启共享|腾讯会议|钉钉会议|飞书会议|视频会议|会议号|会议码|(?:加入|进入)(?:视频)?会议|(?<![a-z])zoom(?![a-z])|teamviewer|向日葵|远程协助|远程控制|远程操作|anydesk|todesk|\bscreen[- ]?(?:share|sharing)\b|\bshare (?:your|the) screen\b|\bremote (?:access|control|assistance|desktop)\b|\bquick ?support\b|\bmeeting id\b/gi,
    }),
  },
  {
    id: 'app_download',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '短信要您下载安装一个 App 或扫码下载。骗子的 App 会盗取信息或伪造借款页面。只从官方应用商店安装。',
      en: 'The text asks you to download or install an app. Scam apps steal your details or fake a loan page. Install only from official app stores.',
    },
    match: phrases({
      re: /(?:下载|安装|更新|升级)[^。!?;\n]{0,12}?(?:app|apk|客户端|软件|应用|程序|插件)|(?:app|apk|客户端|软件)[^。!?;\n]{0,6}?(?:下载|安装)|\.apk\b|扫码下载|扫(?:描)?(?:下方|以下|此)?二维码|testflight|蒲公英|企业签名|描述文件|\b(?:download|install)\w*\b[^.;!?\n]{0,30}?\b(?:app|apk|application|software|client|tool)s?\b|\bscan (?:the |this )?qr\b/gi,
    }),
  },
  {
    id: 'unfreeze_or_release_fee',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN':
        '短信要您先交钱（解冻费、保证金、手续费、刷流水，或撤案、注销、修复征信的费用）才能放款、解冻或办成事。正规机构不会先收这种钱，交了只会被要更多。',
      en: 'The text asks you to pay first (an unfreezing fee, a deposit, a processing fee, or a fee to cancel a case or an account or to repair a credit record) before anything is released or done. No real company charges like this; paying only leads to more demands.',
    },
    match: (context) =>
      feePhrases(context).filter(
        // "取消自动扣款，无需支付任何费用" names an act and a fee, and says there is none to pay.
        (e) => !e.decisive || !NO_FEE.test(context.extracted.masked.slice(e.start, e.end)),
      ),
  },
  {
    id: 'cancel_account_pretext',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '“注销账户”“关闭校园贷”“取消自动扣费”是常见骗局借口：根本不需要注销，也不会因此影响征信。',
      en: '“Cancel your account”, “close your student loan” or “stop automatic charges” is a common scam pretext: there is nothing to cancel, and it does not affect your credit.',
    },
    match: phrases({
      re: /注销|校园贷|学生贷|学生(?:[账帐]户|身份)|关闭(?:[账帐]户|[账帐]号|功能|服务|会员|贷款|借款|借呗|白条|金条)|取消(?:[账帐]户|[账帐]号|会员|服务|自动扣费|扣费|续费|百万保障|保险)|[账帐]户(?:存在|出现|有)?(?:异常|风险)|自动扣费|每月(?:将)?(?:自动)?扣费|百万保障|学贷|异地登录|异常登录|(?:被|遭)(?:他人)?(?:盗用|冒用)|\b(?:cancel|close|deactivate|terminate)\w*\b[^.;!?\n]{0,25}?\b(?:account|membership|subscription|student loan)s?\b|\bstudent (?:loan )?accounts?\b|\bcampus loans?\b|\bauto(?:matic)?[- ]?(?:renewal|debit|deduction)s?\b|\bunusual (?:activity|login|sign-in)\b|\b(?:account|card) (?:is |has been )?(?:locked|compromised|suspended)\b/gi,
    }),
  },
  {
    id: 'credit_record_pretext',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '用“影响征信”“修复征信”吓人或诱人是常见骗局。征信只能由人民银行征信中心处理，没有人能花钱修复。',
      en: 'Threatening your credit record, or offering to “repair” it, is a common scam. Credit records are kept by the central bank; nobody can fix them for a fee.',
    },
    match: phrases({
      re: /征信|黑名单|失信|信用(?:记录|分|评分|受损|污点)|\bcredit (?:record|score|report|rating|history|file)s?\b|\bblacklist\w*\b|\bcredit bureau\b/gi,
    }),
  },
  {
    id: 'rate_cut_pretext',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN':
        '“降息”“退还多收利息”“退款理赔”“提升额度”“减免欠款”是骗子常用的诱饵，接着就会要您转账、扫码或提供验证码。真正的退款和额度调整不需要您做任何操作。',
      en: '“Lower interest”, “a refund” or “compensation”, “a higher limit” or “debt relief” is a common bait; next comes a request for a transfer, a QR payment or a code. A real refund or limit change needs nothing from you.',
    },
    match: phrases(
      {
        re: /降息|降低(?:利率|利息|年化)|(?:利率|利息)(?:下调|过高|太高|违规|超标|减免|优惠)|下调(?:利率|利息)|提额|额度(?:已|可|将)?(?:提升|提高|上调|翻倍)|(?:提升|提高|增加|上调)(?:借款|信用)?额度|临时额度|低息|免息|利息减免|减免利息|退还(?:利息|多收)|(?:多收|利息)[^。!?;\n]{0,6}?(?:退还|退回|退款)|退息|息费退还|\b(?:lower|reduce|cut|refund)\w*\b[^.;!?\n]{0,20}?\binterest(?: rates?)?\b|\b(?:interest )?rate (?:cut|reduction|refund)s?\b|\b(?:raise|increase|boost|upgrade)\w*\b[^.;!?\n]{0,20}?\b(?:limit|credit line|quota)s?\b|\b(?:limit|credit) (?:increase|raise|upgrade|boost)s?\b|\binterest[- ]free\b|\blow[- ]interest\b/gi,
      },
      // Money said to be coming back: refunds, compensation, overpayments.
      {
        re: /退款|退费|理赔|赔付|赔款|赔偿|补偿金|溢缴|多缴|多扣|重复扣款|原路退回|待退还|\b(?:refunds?|refunded|compensation|overcharged|overpaid|reimburse\w*)\b/gi,
      },
      // A limit or a loan waiting to be claimed, and debts that can be made to disappear.
      {
        re: /备用金|预授信|预审批|专属额度|额度待领取|额度(?:已|可)?(?:到账|下发|提至)|(?:领取|激活)(?:额度|借款|备用金)|最高可借|秒批|秒到账|无视征信|黑户可贷|免息券|停息挂账|(?:减免|免除)(?:罚息|利息|逾期费|欠款|债务|本金|违约金)|办理减免|协商减免|债务(?:优化|重组)|\b(?:pre-?approved|pre-?qualified|no credit check)\b|\b(?:limit|credit line|quota)s?\b[^.;!?\n]{0,20}?\b(?:raised|increased|upgraded|boosted)\b|\binterest(?: rates?)? (?:can|will|could|may) be (?:lowered|reduced|cut)\b|\bat a discount\b|\bdebt (?:relief|reduction|settlement|write-?off)\b/gi,
      },
    ),
  },
  {
    id: 'legal_threat',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN':
        '用起诉、坐牢、上门、通知家人单位来吓人，是为了让您慌乱中照做。正规催收不会这样威胁，公检法也不会通过短信办案。',
      en: 'Threats of lawsuits, arrest, home visits or telling your family or employer are meant to panic you. Real lenders do not threaten like this, and police and courts do not handle cases by text.',
    },
    match: phrases({
      re: /起诉|立案|传票|律师函|法院|逮捕|拘留|拘捕|公安|警方|警察|上门|爆通讯录|通讯录|(?:通知|联系|告知|打给)(?:你的|您的)?(?:家人|亲属|亲友|朋友|紧急联系人|单位|公司|领导|同事|学校|老师)|司法|判决|强制执行|冻结(?:您的)?(?:资产|财产|名下)|坐牢|刑事|诈骗罪|涉嫌|洗钱|通缉|检察院|仲裁|追责|催收|资产管理|律所|律师事务所|外访|派员|网警|民警|刑警|派出所|公安局|案件|案号|涉案|传唤|(?:协助|配合)调查|违禁品|非法集资|法办|提告|诉讼|\b(?:arrest(?:ed)?|lawsuit|sue|sued|court|summons|warrant|police|legal action|prosecut\w*|criminal|jail|prison|detain\w*|home visit|money laundering|debt collectors?|bailiffs?|litigation|collection agency|debt collection|recovery (?:team|agency|ltd)|field agents?|lawyers?|attorneys?|illegal items?)\b|\bvisit (?:your|you at) (?:home|work|workplace|office)\b|\b(?:contact|call|notify|inform|tell)\w* (?:your )?(?:family|employer|boss|colleagues|contacts|relatives|friends)\b/gi,
    }),
  },
  {
    id: 'urgency',
    severity: 'low',
    decisive: false,
    explanation: {
      'zh-CN': '短信催您马上行动、设了很短的期限。骗子制造紧张，让您来不及核实。先停一下，打官方电话问清楚。',
      en: 'The text pushes you to act at once or sets a short deadline. Scammers create pressure so you have no time to check. Pause, and call the official number first.',
    },
    match: phrases(
      {
        re: /\d+ ?(?:个)?(?:小时|分钟|钟头)内(?!有效)|(?:二十四|24) ?小时|否则|逾期将|最后期限|最后一次|最后通知|最终通知|过期作废|过时不候|后果自负|(?:不|未)处理将|将被(?:冻结|起诉|注销|锁定)|今[天晚日]\d+点前|\bwithin (?:\d+|twenty[- ]four) ?(?:hours?|hrs?|minutes?|mins?)\b|\bfinal (?:notice|warning|deadline)\b|\bor else\b|\botherwise\b|\blast chance\b|\bdeadline\b|\bbefore (?:midnight|tonight)\b|\bwill be (?:frozen|suspended|sued|locked|blacklisted)\b/gi,
        severity: 'medium',
      },
      {
        re: /立即|立刻|马上|尽快|赶紧|赶快|速速|火速|即刻|今日内|今天内|当日内|限时|紧急|抓紧|尽速|从速|\b(?:immediately|urgent(?:ly)?|right away|right now|asap|as soon as possible|act now|hurry)\b/gi,
      },
    ),
  },
  {
    id: 'signature_mismatch',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '短信的签名（【】里的名字）不是该贷款机构的官方签名，或者自称是它却没有签名。',
      en: 'The signature (the name in 【】) is not the lender’s official one, or the text claims to be the lender without any signature.',
    },
    match: signatureMismatch,
  },
  {
    id: 'obfuscation',
    severity: 'medium',
    decisive: false,
    explanation: {
      'zh-CN': '短信故意把关键词拆开或把网址里的点写成“点”，这是为了躲过诈骗拦截。正规短信不会这样写。',
      en: 'The text deliberately splits key words or writes the dot in a link as a word, to slip past scam filters. Real messages are never written like this.',
    },
    match: (context) => {
      const out: Evidence[] = context.obfuscated.map(([start, end]) => ({ start, end }));
      context.urls.forEach((url, i) => {
        const note = context.extracted.urlNotes[i];
        if (note?.disguised && url.verdict.kind !== 'official') out.push({ start: note.hostStart, end: note.hostEnd });
      });
      return out;
    },
  },
];
