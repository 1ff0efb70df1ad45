import type { DifferenceField } from '../../../src/core/checker/forged.ts';
import { type GenuineSample, genuineLenderTexts } from './corpus.ts';

/**
 * Tampered copies of the genuine texts: what a scammer does to a real reminder to keep its real
 * link (or code) and change where the money goes — the amount, the hotline, the link, an account
 * to transfer to, the signature, the due date. Each with the field it changed and the values as
 * written on both sides, and each also with the signature moved to the end as a carrier would.
 */

export interface TamperedSample {
  label: string;
  sent: string;
  received: string;
  field: DifferenceField;
  /** The changed field as sent ('' when it was added) and as received. */
  sentValue: string;
  receivedValue: string;
}

const SIGNATURE = '【青禾消费金融】';
const AMOUNT = /(?:¥|CNY )\d{1,3}(?:,\d{3})*\.\d{2}/;
const DATE = /\d{1,2}月\d{1,2}日|\d{1,2} (?:Jan|Jun|Nov)/;
const ACCOUNT = '6222 0212 3456 7890 123';

type Tamper = (text: string) => Omit<TamperedSample, 'label' | 'sent'> | null;

const bump = (digit: string) => (digit === '9' ? '1' : String(Number(digit) + 1));

const TAMPERS: Record<string, Tamper> = {
  amount: (text) => {
    const sent = AMOUNT.exec(text)?.[0];
    if (!sent) return null;
    const received = sent.replace(/\d/, bump);
    return { received: text.replace(sent, received), field: 'amount', sentValue: sent, receivedValue: received };
  },
  hotline: (text) =>
    text.includes('400-186-5533')
      ? {
          received: text.replace('400-186-5533', '400-186-5583'),
          field: 'phone',
          sentValue: '400-186-5533',
          receivedValue: '400-186-5583',
        }
      : null,
  link: (text) => {
    const sent = /https:\/\/qhxf\.cn\/r\/[A-Za-z0-9_-]+/.exec(text)?.[0];
    if (!sent) return null;
    const received = sent.replace('qhxf.cn', 'qhxf-cn.top');
    return { received: text.replace(sent, received), field: 'link', sentValue: sent, receivedValue: received };
  },
  account: (text) => {
    const at = text.search(/核实|详情|Verify|Details/);
    if (at < 0) return null;
    const words = /[\u4e00-\u9fff]/.test(text.slice(at, at + 2)) ? `也可转账至${ACCOUNT}。` : `Or pay to ${ACCOUNT}. `;
    return {
      received: text.slice(0, at) + words + text.slice(at),
      field: 'account',
      sentValue: '',
      receivedValue: ACCOUNT,
    };
  },
  signature: (text) => ({
    received: text.replace(SIGNATURE, '【青禾金融服务】'),
    field: 'signature',
    sentValue: SIGNATURE,
    receivedValue: '【青禾金融服务】',
  }),
  date: (text) => {
    const sent = DATE.exec(text)?.[0];
    if (!sent) return null;
    // The day: "11月9日" → "11月11日", "9 Nov" → "11 Nov".
    const day = sent.startsWith(sent.match(/^\d+ /)?.[0] ?? '\u0000') ? /^\d+/ : /\d+(?=日)/;
    const received = sent.replace(day, (d) => String((Number(d) % 27) + 2));
    return { received: text.replace(sent, received), field: 'date', sentValue: sent, receivedValue: received };
  },
};

export function tamperedCopies(genuine: readonly GenuineSample[] = genuineLenderTexts()): TamperedSample[] {
  const out: TamperedSample[] = [];
  for (const { label, text } of genuine) {
    for (const [kind, tamper] of Object.entries(TAMPERS)) {
      const copy = tamper(text);
      if (!copy) continue;
      out.push({ label: `${label} / ${kind}`, sent: text, ...copy });
      // The same forgery as a carrier passes it on: the signature moved to the end.
      const received = copy.received.startsWith(copy.field === 'signature' ? '【青禾金融服务】' : SIGNATURE)
        ? `${copy.received.slice(SIGNATURE.length)}${copy.received.slice(0, SIGNATURE.length)}`
        : copy.received;
      out.push({ label: `${label} / ${kind} (signature at the end)`, sent: text, ...copy, received });
    }
  }
  return out;
}
