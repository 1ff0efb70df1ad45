import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, describe as group, it } from 'vitest';
import { checkText } from '../../src/core/checker/check.ts';
import { INDICATORS } from '../../src/core/checker/indicators.ts';
import { indexReported, REPORTED_SCAM } from '../../src/core/checker/reported.ts';
import { optOutConfirmationText } from '../../src/core/opt-out-confirmation.ts';
import { decisionText } from '../../src/core/relief-messages.ts';
import { DEFAULT_TEMPLATES, renderTemplate, TEMPLATE_LOCALES, TEMPLATE_STAGES } from '../../src/core/templates.ts';
import { catalogueEntries } from '../../src/i18n/messages.ts';
import { DEMO_LENDER } from '../../src/services/demo-data.ts';
import { strings } from '../../src/widget/strings.ts';
import { genuineReminders, SCAMS } from '../core/checker/corpus.ts';
import { LENDERS } from '../core/checker/fixtures.ts';
import {
  astroGluedMarks,
  astroText,
  chineseViolations,
  describe,
  englishViolations,
  isChinese,
  type Violation,
  violations,
} from '../support/punctuation.ts';

type Locale = 'zh-CN' | 'en';

/**
 * Texts that are right as they are although the rules flag them, each with its reason. Keyed
 * by where the text comes from and the offending character, so a new mistake in the same
 * text still fails.
 */
const ALLOWED: ReadonlyArray<{ where: RegExp; char: string; why: string }> = [
  {
    where: /^catalogue (zh-CN|en) import\.problem\.(stray|unclosed)_quote$/,
    char: '"',
    why: 'it names the CSV quote character itself, which is the ASCII one',
  },
  {
    where: /^catalogue zh-CN settings\.(error\.terms|field\.relief\.plan\.terms\.hint)$/,
    char: ',',
    why: 'it shows what to type into the field, whose parser splits on the ASCII comma',
  },
];

function allowed(where: string, v: Violation): boolean {
  return ALLOWED.some((a) => a.where.test(where) && a.char === v.char);
}

/** Collects every problem in one list, so a failure names them all at once. */
function collector() {
  const problems: string[] = [];
  // The same mistake in the same words is reported once, however many texts carry it.
  const reported = new Set<string>();
  return {
    problems,
    check(where: string, locale: Locale, text: string) {
      for (const v of violations(locale, text)) {
        const key = `${locale}|${v.rule}|${v.context}`;
        if (allowed(where, v) || reported.has(key)) continue;
        reported.add(key);
        problems.push(...describe(where, [v]));
      }
    },
  };
}

const SAMPLE_FACTS = {
  currency: 'CNY',
  amountDue: 123_456,
  dueDate: '2026-11-15',
  daysOverdue: 21,
  link: 'https://qhxf.cn/r/Ab3dE5gH',
  code: 'K7QX-92M8',
  today: '2026-12-06',
};

group('the punctuation rules', () => {
  it('flag ASCII punctuation next to Chinese and leave URLs, times, amounts and placeholders alone', () => {
    expect(chineseViolations('请注意:今天到期,请还款(含罚息)!').map((v) => v.char)).toEqual([':', ',', '(', ')', '!']);
    expect(chineseViolations('您好 (演示)')).toHaveLength(2);
    expect(chineseViolations('他说"是真的"')).toHaveLength(2);
    expect(chineseViolations('正在核实...')).toHaveLength(1);
    expect(chineseViolations('你的借款')).toHaveLength(1);
    expect(chineseViolations('到期了.')).toHaveLength(1);
    expect(chineseViolations('官方客服电话：400-186-5533, 95188。')).toHaveLength(1);
    expect(
      chineseViolations('服务时间 09:00–21:00，应还¥1,234.56，打开 https://qhxf.cn/r/a?b=1 查询码{code}：K7QX-92M8。'),
    ).toEqual([]);
  });

  it('flag an English colon without a space, a straight apostrophe, full-width punctuation and lower-case bullets', () => {
    expect(englishViolations('Call the hotline:400-186-5533').map((v) => v.char)).toEqual([':']);
    expect(englishViolations("the lender's hotline")).toHaveLength(1);
    expect(englishViolations('Amount：{amount}（due）')).toHaveLength(3);
    expect(englishViolations('Before:\n- check the link\n- Call us')).toHaveLength(1);
    expect(englishViolations('Wait...')).toHaveLength(1);
    expect(englishViolations('signed "Qinghe"')).toHaveLength(2);
    expect(englishViolations('Post `{"code":0}` to localhost:4321 at 9:30')).toEqual([]);
    expect(
      englishViolations('Open https://qhxf.cn/r/a at 10:00: the lender’s signature is 【青禾消费金融】, e.g. “退订”.'),
    ).toEqual([]);
  });

  it('read the text of an .astro page, not its code', () => {
    const page = "---\nconst a = '请注意:';\n---\n<p class=\"x\">您好:{a}</p>\n<script>const b = '测试:';</script>";
    expect(astroText(page)).toEqual(['您好:']);
    expect(astroGluedMarks('<li>{label}: <span>{detail}</span></li>')).toHaveLength(1);
    expect(astroGluedMarks("<p>{t('a')}{locale === 'en' ? ': ' : '：'}</p>")).toEqual([]);
  });
});

group('every text a person reads', () => {
  it('has the punctuation of its language in every catalogue entry', () => {
    const { problems, check } = collector();
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const [key, text] of catalogueEntries(locale)) check(`catalogue ${locale} ${key}`, locale, text);
    }
    expect(problems).toEqual([]);
  });

  it('has it in every SMS reminder, with and without a penalty, and in decision and opt-out texts', () => {
    const { problems, check } = collector();
    for (const stage of TEMPLATE_STAGES) {
      for (const locale of TEMPLATE_LOCALES) {
        for (const penalty of [0, 2_550]) {
          const text = renderTemplate(DEFAULT_TEMPLATES[`${stage}.${locale}`], DEMO_LENDER, {
            ...SAMPLE_FACTS,
            stage,
            locale,
            penalty,
          }).text;
          check(`reminder ${stage}.${locale} penalty=${penalty}`, locale, text);
        }
        for (const approved of [true, false]) {
          for (const kind of ['extension', 'plan'] as const) {
            const text = decisionText(DEMO_LENDER, {
              kind,
              approved,
              locale,
              currency: 'CNY',
              firstDue: { date: '2027-01-10', amount: 52_000 },
              link: SAMPLE_FACTS.link,
              code: SAMPLE_FACTS.code,
            });
            check(`decision ${kind} approved=${approved} ${locale}`, locale, text);
          }
        }
      }
    }
    check('opt-out confirmation zh-CN', 'zh-CN', optOutConfirmationText(DEMO_LENDER, 'zh-CN'));
    check('opt-out confirmation en', 'en', optOutConfirmationText(DEMO_LENDER, 'en'));
    expect(problems).toEqual([]);
  });

  it('has it in every scam explanation, general and as the checker words it for a text', () => {
    const { problems, check } = collector();
    const explanations = new Map<string, { 'zh-CN': string; en: string }>();
    for (const d of [...INDICATORS, REPORTED_SCAM]) explanations.set(`indicator ${d.id}`, d.explanation);
    const reported = indexReported([
      { kind: 'domain', value: 'qinghe-xf.top', reports: 3, since: '2026-11-20' },
      { kind: 'number', value: '+8613912345678', reports: 2, since: '2026-11-21' },
    ]);
    const texts = [
      ...SCAMS.map((s) => s.text),
      ...genuineReminders().map((g) => g.text),
      '【青禾消费金融】请访问 qinghe-xf.top 或致电 13912345678 处理。',
    ];
    // Two hotlines, so the explanations that list them show how they are joined.
    const lenders = LENDERS.map((l) => (l.slug === 'demo' ? { ...l, hotlines: [...l.hotlines, '95188'] } : l));
    const seen = new Set<string>();
    for (const text of texts) {
      for (const indicator of checkText(text, lenders, { reported }).indicators) {
        // One entry per wording: the same explanation for a hundred texts is one text to check.
        const wording = `${indicator.explanation['zh-CN']}|${indicator.explanation.en}`;
        if (!seen.has(wording)) {
          seen.add(wording);
          explanations.set(`indicator ${indicator.id} for ${JSON.stringify(text.slice(0, 24))}`, indicator.explanation);
        }
      }
    }
    for (const [where, e] of explanations) {
      check(`${where} zh-CN`, 'zh-CN', e['zh-CN']);
      check(`${where} en`, 'en', e.en);
    }
    expect(explanations.size).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });

  it('has it in the verification widget', () => {
    const { problems, check } = collector();
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const [key, value] of Object.entries(strings(locale))) {
        const texts =
          typeof value === 'function'
            ? [(value as (...a: unknown[]) => unknown)('青禾消费金融', 'low')]
            : [value as unknown];
        for (const text of texts.flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t ?? {})))) {
          if (typeof text === 'string') check(`widget ${locale} ${key}`, locale, text);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

/** Source files, walked; small enough to read in full (the whole of src/ reads in well under a second). */
function sources(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const SRC = join(import.meta.dirname, '../../src');
const LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;

/**
 * Source files whose Chinese string literals are not text for people: patterns the scam
 * checker matches written text with, and code samples that must stay valid JSON.
 */
const NOT_PROSE = new Set(['core/checker/extract.ts', 'core/checker/normalize.ts', 'pages/developers.astro']);

group('texts written in the code', () => {
  it('has full-width punctuation in Chinese written inline in pages, components and layouts', () => {
    const problems: string[] = [];
    for (const dir of ['pages', 'components', 'layouts']) {
      for (const file of sources(join(SRC, dir), /\.astro$/)) {
        const source = readFileSync(file, 'utf8');
        for (const text of astroText(source)) {
          problems.push(...describe(file.slice(SRC.length + 1), chineseViolations(text)));
        }
        for (const line of astroGluedMarks(source)) {
          problems.push(
            `${file.slice(SRC.length + 1)}: an ASCII mark written after an expression, in both languages — ${line}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('starts every list item a page fills from the catalogue with a capital letter in English', () => {
    const english = new Map(catalogueEntries('en'));
    const problems: string[] = [];
    let items = 0;
    for (const file of sources(SRC, /\.astro$/)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/<li\b[^>]*>\s*\{\s*t\(\s*'([\w.]+)'/g)) {
        const key = m[1] ?? '';
        const text = english.get(key as never);
        if (text === undefined) continue;
        items += 1;
        if (/^[a-z]/.test(text))
          problems.push(`${file.slice(SRC.length + 1)}: <li> ${key} starts in lower case: ${text}`);
      }
    }
    expect(items).toBeGreaterThan(4);
    expect(problems).toEqual([]);
  });

  it('joins pieces of a page with the marks of the reader’s language', () => {
    // `${a}。${b}` or .join('、') in a page reads "…= ¥25.50。¥10.00 of it is paid" in English.
    const problems: string[] = [];
    for (const dir of ['pages', 'components']) {
      for (const file of sources(join(SRC, dir), /\.(astro|ts)$/)) {
        for (const [n, line] of readFileSync(file, 'utf8').split('\n').entries()) {
          if (/join\('[，。：；、]'\)|\}[，。：；、]\$\{/.test(line) && !/locale|'en'/.test(line)) {
            problems.push(
              `${file.slice(SRC.length + 1)}:${n + 1}: a Chinese mark used whatever the language — ${line.trim()}`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has it in Chinese string literals and ’ in English ones (CLI output, CSV headers, schema errors, demo data)', () => {
    const problems: string[] = [];
    for (const file of sources(SRC, /\.(ts|astro)$/)) {
      const name = file.slice(SRC.length + 1);
      // The catalogues are checked entry by entry above.
      if (name.startsWith('i18n/') || NOT_PROSE.has(name)) continue;
      for (const [n, line] of readFileSync(file, 'utf8').split('\n').entries()) {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
        for (const m of line.matchAll(LITERAL)) {
          const text = m[0].slice(1, -1).replace(/\$\{[^}]*\}/g, '{x}');
          const where = `${name}:${n + 1}`;
          if (isChinese(text)) problems.push(...describe(where, chineseViolations(text)));
          else if (/[A-Za-z)}]'[a-z]/.test(text) && / /.test(text)) {
            problems.push(
              ...describe(
                where,
                englishViolations(text).filter((v) => v.char === "'"),
              ),
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
