import type { CheckContext, Evidence, Explanation } from './indicators.ts';
import { editDistance } from './lookalike.ts';
import { type LenderIndex, nationalDigits } from './officials.ts';

/**
 * When a phone number in a text is decisive on its own. A personal mobile or an overseas number is
 * only suspicious in general (people do text each other their numbers), but given as the lender's
 * — or as a collector's, a lawyer's, a police officer's — it is an act no genuine lender or
 * authority performs: they answer only on published service lines. A number one keystroke away
 * from a lender's published hotline is a look-alike of it, as a domain one letter off is.
 */

/** Roles a scammer gives the person behind a number, so the reader takes it for an official line. */
const OFFICIAL_ROLE =
  /客服|专员|专人|热线|官方|经理|工作人员|催收|法务|律师|调解员|书记员|检察官|法官|警官|民警|警察|财务|对接人|办案|\b(?:agents?|officers?|hotline|customer service|support|team|manager|lawyer|collector|representative|investigator)\b/i;
const SENTENCE_END = /[。!?;\n]/;
const SENTENCE_WINDOW = 80;

/** The sentence around [start, end) of the text, bounded so a text without punctuation stays cheap. */
function sentenceAround(text: string, start: number, end: number): string {
  let from = start;
  const lowest = Math.max(0, start - SENTENCE_WINDOW);
  while (from > lowest && !SENTENCE_END.test(text[from - 1] as string)) from--;
  let to = end;
  const highest = Math.min(text.length, end + SENTENCE_WINDOW);
  while (to < highest && !SENTENCE_END.test(text[to] as string)) to++;
  return text.slice(from, start) + text.slice(end, to);
}

/** The text speaks for a lender, or the sentence gives the number a role that stands for one. */
export function presentedAsOfficial(context: CheckContext, start: number, end: number): boolean {
  if (context.lender) return true;
  return OFFICIAL_ROLE.test(sentenceAround(context.extracted.masked, start, end));
}

/** The published hotline (as written) a number imitates: one digit changed, added, dropped or two swapped. */
export function imitatedHotline(lenders: readonly LenderIndex[], digits: string): string | null {
  if (digits.length < 7) return null;
  for (const lender of lenders) {
    for (const written of lender.contacts.hotlines) {
      const official = nationalDigits(written);
      if (official.length >= 7 && editDistance(digits, official, 1) === 1) return written;
    }
  }
  return null;
}

function whose(context: CheckContext): Explanation {
  const lender = context.lender?.contacts;
  return lender ? { 'zh-CN': lender.name, en: lender.nameEn } : { 'zh-CN': '官方机构', en: 'an official body' };
}

function callInstead(context: CheckContext): Explanation {
  const hotlines = context.lender ? [...new Set(context.lender.contacts.hotlines)].slice(0, 4) : [];
  return hotlines.length > 0
    ? { 'zh-CN': `官方客服电话：${hotlines.join('、')}。`, en: `The official hotline: ${hotlines.join(', ')}.` }
    : {
        'zh-CN': '请拨打官方网站或借款合同上的电话核实。',
        en: 'Call the number on the official website or your loan contract to check.',
      };
}

export function mobileAsOfficial(context: CheckContext, evidence: Evidence): Evidence {
  const who = whose(context);
  const call = callInstead(context);
  return {
    ...evidence,
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': `短信把一个个人手机号当作${who['zh-CN']}的联系电话。贷款机构、催收和公检法都只用公布的官方电话，不会让您打给或添加个人手机。${call['zh-CN']}`,
      en: `The text gives a personal mobile number as ${who.en}’s contact. Lenders, collectors, police and courts use only their published lines, never a personal mobile. ${call.en}`,
    },
  };
}

export function overseasAsOfficial(context: CheckContext, evidence: Evidence): Evidence {
  const who = whose(context);
  const call = callInstead(context);
  return {
    ...evidence,
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': `短信把一个境外号码当作${who['zh-CN']}的联系电话。国内贷款机构、催收和公检法不会用境外号码联系您，这是诈骗。${call['zh-CN']}`,
      en: `The text gives an overseas number as ${who.en}’s contact. Chinese lenders, collectors, police and courts never use overseas numbers: this is a scam. ${call.en}`,
    },
  };
}

export function lookalikeHotline(evidence: Evidence, imitated: string): Evidence {
  return {
    ...evidence,
    severity: 'high',
    decisive: true,
    explanation: {
      'zh-CN': `这个电话冒充官方客服电话 ${imitated}：只差一个数字或顺序颠倒。请只拨打 ${imitated}。`,
      en: `This number imitates the official hotline ${imitated}: one digit is different or two are swapped. Call only ${imitated}.`,
    },
  };
}
