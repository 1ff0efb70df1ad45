/**
 * The house rules for punctuation in text people read, as a pure checker the tests run over
 * every catalogue entry, SMS template, scam explanation and inline page text.
 *
 * Chinese: full-width ，。：；？！（） and “” ‘’ next to Chinese characters, 您 never 你.
 * English: a space after a colon, ’ as the apostrophe, bullets capitalised, no full-width
 * punctuation away from quoted Chinese. Both: one ellipsis, “…”, never "...".
 *
 * ASCII punctuation between two non-Chinese characters is left alone: URLs (https://…?a=1),
 * times (10:00), amounts (¥1,234.56), dates and {placeholders} all stay as they are.
 */

import type { Page } from 'playwright-core';

export interface Violation {
  rule: string;
  /** The offending character(s). */
  char: string;
  /** A few characters either side, to find it. */
  context: string;
}

/** Han characters, CJK symbols (【】、。) and full-width forms (，：（）). */
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const ASCII_PUNCT = new Set([',', ':', ';', '?', '!', '(', ')']);
/** "localhost:4321", "example.cn:8443": a port, not a colon in a sentence. */
const HOST_BEFORE = /(?:localhost|[a-z0-9-]+\.[a-z]{2,})$/i;
const FULL_WIDTH_PUNCT = /[，。：；？！（）、]/;

export function hasHan(text: string): boolean {
  return HAN.test(text);
}

/** Whether a string found in code is a Chinese sentence or English quoting a Chinese word or two ("Zhenxin (真信) API"). */
export function isChinese(text: string): boolean {
  const han = text.match(new RegExp(HAN.source, 'g'))?.length ?? 0;
  const latin = text.match(/[A-Za-z]/g)?.length ?? 0;
  return han > 0 && han * 3 >= latin;
}

/** `Code spans` in a text keep their own punctuation: blanked out, so indexes still match. */
function withoutCode(text: string): string {
  return text.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
}

function context(text: string, at: number, length = 1): string {
  return text.slice(Math.max(0, at - 8), at + length + 8);
}

/** Skipped looking for a mark's neighbour: spaces, and other ASCII marks ("罚息)!" is two mistakes). */
const SKIP = new Set([' ', '\t', ...ASCII_PUNCT]);

/** The nearest character before `at` that is not a space, a tab or an ASCII mark, or ''. */
function before(text: string, at: number): string {
  for (let i = at - 1; i >= 0; i--) if (!SKIP.has(text[i] ?? '')) return text[i] ?? '';
  return '';
}

function after(text: string, at: number): string {
  for (let i = at + 1; i < text.length; i++) if (!SKIP.has(text[i] ?? '')) return text[i] ?? '';
  return '';
}

/**
 * In a Chinese text a {placeholder} stands for Chinese words (a name, an amount in a sentence),
 * so a mark against its brace is judged as if it were next to Chinese: "{name}({ref})" is wrong.
 */
const CHINESE_CONTEXT = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef{}]/;

/** Rules for a text written in Chinese (any text with a Chinese character in it, in the zh-CN locale). */
export function chineseViolations(written: string): Violation[] {
  const found: Violation[] = [];
  const text = withoutCode(written);
  const add = (rule: string, at: number, length = 1) =>
    found.push({ rule, char: written.slice(at, at + length), context: context(written, at, length) });
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (ASCII_PUNCT.has(c) && (CHINESE_CONTEXT.test(before(text, i)) || CHINESE_CONTEXT.test(after(text, i)))) {
      add('ASCII punctuation next to Chinese: use the full-width form', i);
    } else if ((c === '"' || c === "'") && (CJK.test(text[i - 1] ?? '') || CJK.test(text[i + 1] ?? ''))) {
      add('straight quote in Chinese: use “” or ‘’', i);
    } else if (c === '.' && HAN.test(text[i - 1] ?? '') && !/[A-Za-z0-9.]/.test(text[i + 1] ?? '')) {
      add('ASCII full stop after Chinese: use 。', i);
    } else if (c === ',' && text[i + 1] === ' ') {
      add('a list in Chinese is separated by 、', i);
    } else if (c === '你') {
      add('address the reader as 您', i);
    }
  }
  for (const m of text.matchAll(/\.\.\.|……|。。。/g)) add('one ellipsis style: …', m.index, m[0].length);
  return found;
}

/** Rules for a text in the English locale (which may quote Chinese, such as a signature 【青禾消费】). */
export function englishViolations(written: string): Violation[] {
  const found: Violation[] = [];
  const text = withoutCode(written);
  const add = (rule: string, at: number, length = 1) =>
    found.push({ rule, char: written.slice(at, at + length), context: context(written, at, length) });
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    const prev = text[i - 1] ?? '';
    const next = text[i + 1] ?? '';
    if (c === ':' && /[A-Za-z{¥$+(“"]/.test(next) && !/[0-9]/.test(prev)) {
      add('a space after a colon', i);
    } else if (c === ':' && /[0-9]/.test(next) && !/[0-9]/.test(prev) && !HOST_BEFORE.test(text.slice(0, i))) {
      add('a space after a colon', i);
    } else if (c === "'") {
      add('apostrophe: use ’', i);
    } else if (c === '"') {
      add('quotation marks: use “”', i);
    } else if (FULL_WIDTH_PUNCT.test(c) && !HAN.test(prev) && !HAN.test(next)) {
      add('full-width punctuation in English', i);
    } else if (c === '你') {
      add('address the reader as 您', i);
    }
  }
  for (const m of text.matchAll(/\.\.\./g)) add('one ellipsis style: …', m.index, 3);
  for (const m of text.matchAll(/(?:^|\n)[ \t]*(?:[-•*]|\d+[.)])[ \t]+(?=[a-z])/g)) {
    add('list items start with a capital letter', m.index + m[0].length);
  }
  return found;
}

/** Which rules apply: the locale's, and Chinese rules for any Chinese sentence quoted in English. */
export function violations(locale: 'zh-CN' | 'en', text: string): Violation[] {
  return locale === 'zh-CN' ? chineseViolations(text) : englishViolations(text);
}

/** One line per problem: where, what, and the text around it. */
export function describe(where: string, list: readonly Violation[]): string[] {
  return list.map((v) => `${where}: ${v.rule} — ${JSON.stringify(v.char)} in ${JSON.stringify(v.context)}`);
}

/**
 * Page text between tags in an .astro source, with frontmatter, <script>/<style> blocks,
 * {expressions}, comments and tag attributes taken out crudely: good enough to find a
 * "请注意:" written inline, not a parser.
 */
export function astroText(source: string): string[] {
  let body = source.replace(/^---\n[\s\S]*?\n---\n/, '');
  body = body.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, '\n');
  body = body.replace(/<!--[\s\S]*?-->/g, '\n');
  // Expressions may nest braces one level ({items.map((x) => <li>{x}</li>)}).
  for (let i = 0; i < 3; i++) body = body.replace(/\{[^{}]*\}/g, '\n');
  body = body.replace(/<[^>]*>/g, '\n');
  return body
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => hasHan(s));
}

/**
 * Lines of an .astro source where a fixed ASCII mark follows an {expression} ("{label}: "):
 * the pages speak both languages, so a mark written once is wrong in one of them and belongs
 * in the catalogue or behind a locale choice.
 */
export function astroGluedMarks(source: string): string[] {
  let body = source.replace(/^---\n[\s\S]*?\n---\n/, '');
  body = body.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, '\n');
  body = body.replace(/<!--[\s\S]*?-->/g, '\n');
  // Innermost expressions only (no markup inside): {label}, {t('key')}.
  for (let i = 0; i < 3; i++) body = body.replace(/\{[^{}<>]*\}/g, '\u27e8\u27e9');
  body = body.replace(/<[^>]*>/g, '\n');
  return body
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /\u27e9[,:;?!](\s|$)/.test(s) && !/[('"=`]/.test(s));
}

/** Marked-up text that is not ours to punctuate: pasted messages, evidence quoted from them, code. */
const QUOTED = '.sms, .mono, pre, code, kbd, samp, textarea';

/**
 * What a reader sees on a rendered page, checked by the same rules: `document.body.innerText`
 * with quoted texts hidden for the moment (through the CSSOM, which a strict CSP allows). In
 * English also every list item starts with a capital and every amount sits in a nowrap box.
 */
export async function pageProblems(page: Page, locale: 'zh-CN' | 'en'): Promise<string[]> {
  const seen = await page.evaluate(
    ({ quoted, english }) => {
      const hidden = [...document.querySelectorAll<HTMLElement>(quoted)].map((e) => {
        const before = e.style.display;
        e.style.display = 'none';
        return () => {
          e.style.display = before;
        };
      });
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point (hidden parts left out, blocks on lines)
      const text = document.body.innerText;
      const items = english
        ? [...document.querySelectorAll<HTMLElement>('main li')]
            // biome-ignore lint/performance/useDomNodeTextContent: what the item shows, not hidden text inside it
            .map((li) => li.innerText.trim())
            .filter((s) => /^[a-z]/.test(s))
        : [];
      const wrapping: string[] = [];
      if (english) {
        const walker = document.createTreeWalker(document.querySelector('main') ?? document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const value = node.nodeValue ?? '';
          // "¥1,234.56" in Chinese, "CNY 1,234.56" in English.
          const parent = node.parentElement;
          if (
            !/(?:[¥$€£]|\b[A-Z]{3} )\d/.test(value) ||
            !parent?.checkVisibility() ||
            parent.closest('svg, .visually-hidden')
          )
            continue;
          let nowrap = false;
          for (let e: Element | null = node.parentElement; e && e !== document.body; e = e.parentElement) {
            if (getComputedStyle(e).whiteSpace.includes('nowrap') || getComputedStyle(e).whiteSpace === 'pre') {
              nowrap = true;
              break;
            }
          }
          if (!nowrap) wrapping.push(value.trim());
        }
      }
      for (const restore of hidden) restore();
      return { text, items, wrapping };
    },
    { quoted: QUOTED, english: locale === 'en' },
  );
  const where = new URL(page.url()).pathname;
  const problems = seen.text
    .split('\n')
    .flatMap((line) => describe(where, locale === 'zh-CN' ? chineseViolations(line) : englishViolations(line)));
  for (const item of seen.items)
    problems.push(`${where}: list items start with a capital letter — ${JSON.stringify(item.slice(0, 40))}`);
  for (const amount of seen.wrapping)
    problems.push(`${where}: an amount that can wrap — ${JSON.stringify(amount.slice(0, 40))}`);
  return problems;
}
