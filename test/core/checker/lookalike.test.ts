import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import {
  domainPermutations,
  editDistance,
  KEYBOARD_NEIGHBOURS,
  type PermutationKind,
  skeleton,
} from '../../../src/core/checker/lookalike.ts';
import { DEMO, LENDERS } from './fixtures.ts';

const ALL_KINDS: PermutationKind[] = [
  'addition',
  'bitsquatting',
  'cyrillic',
  'homoglyph',
  'hyphenation',
  'insertion',
  'omission',
  'repetition',
  'replacement',
  'subdomain',
  'transposition',
  'vowel-swap',
  'tld-swap',
  'punycode',
];

const domainSigns = (domain: string, officials = [DEMO]) =>
  checkText(`【青禾消费金融】请登录 ${domain} 核对还款`, officials).indicators.filter((i) =>
    ['lookalike_domain', 'official_as_subdomain', 'brand_in_foreign_domain'].includes(i.id),
  );

describe('skeleton', () => {
  it('maps look-alike characters to one form', () => {
    expect(skeleton('qinghe-xf.cn')).toBe(skeleton('q1nghe-xf.cn'));
    expect(skeleton('qinghe-xf.cn')).toBe(skeleton('qlnghe-xf.cn'));
    expect(skeleton('QINGHE-XF.CN')).toBe(skeleton('qinghe-xf.cn'));
    expect(skeleton('q\u0456ngh\u0435-xf.cn')).toBe(skeleton('qinghe-xf.cn')); // Cyrillic і, е
    expect(skeleton('qinghe-xf.c\u03bfm')).toBe(skeleton('qinghe-xf.com')); // Greek ο
    expect(skeleton('g00gle.com')).toBe(skeleton('google.com'));
    expect(skeleton('rnodern.cn')).toBe(skeleton('modern.cn'));
    expect(skeleton('vvechat.com')).toBe(skeleton('wechat.com'));
    expect(skeleton('qīnghé-xf.cn')).toBe(skeleton('qinghe-xf.cn'));
    expect(skeleton('qinghe-xf.cn')).not.toBe(skeleton('qinghe-xf.com'));
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one', () => {
    expect(editDistance('qinghe-xf', 'qinghe-xf', 2)).toBe(0);
    expect(editDistance('qinghe-xf', 'qinghexf', 2)).toBe(1);
    expect(editDistance('qinghe-xf', 'qnighe-xf', 2)).toBe(1);
    expect(editDistance('qinghe-xf', 'qimghe-xf', 2)).toBe(1);
    expect(editDistance('qinghe-xf', 'qinghe-xff', 2)).toBe(1);
    expect(editDistance('qinghe-xf', 'qing-he-x-f', 2)).toBe(2);
    expect(editDistance('qinghe-xf', 'baidu', 2)).toBe(3);
  });
});

describe('domainPermutations', () => {
  it('generates every dnstwist family for qinghe-xf.cn', () => {
    const kinds = new Set(domainPermutations('qinghe-xf.cn').map((p) => p.kind));
    expect([...kinds].sort()).toEqual([...ALL_KINDS].sort());
  });

  it('knows which keys are next to each other', () => {
    expect(KEYBOARD_NEIGHBOURS.q).toContain('w');
    expect(KEYBOARD_NEIGHBOURS.g).toContain('h');
  });
});

describe('look-alike domains', () => {
  for (const official of ['qinghe-xf.cn', 'qhxf.cn']) {
    it(`flags every permutation of ${official} as a look-alike`, () => {
      const permutations = domainPermutations(official);
      expect(permutations.length).toBeGreaterThan(100);
      const missed = permutations.filter(({ domain }) => !domainSigns(domain).some((i) => i.id === 'lookalike_domain'));
      expect(missed).toEqual([]);
    });
  }

  it('flags each family with a decisive, high indicator that names the official domain', () => {
    const byKind = new Map(domainPermutations('qinghe-xf.cn').map((p) => [p.kind, p.domain]));
    for (const kind of ALL_KINDS) {
      const domain = byKind.get(kind) as string;
      const [sign] = domainSigns(domain);
      expect(sign?.id, `${kind}: ${domain}`).toBe('lookalike_domain');
      expect(sign?.decisive).toBe(true);
      expect(sign?.severity).toBe('high');
      expect(sign?.explanation['zh-CN']).toContain('qinghe-xf.cn');
    }
  });

  it('says a confusable domain looks identical', () => {
    const [sign] = domainSigns('q\u0456ngh\u0435-xf.cn');
    expect(sign?.explanation.en).toContain('looks identical');
  });

  it('does not flag the official domains, the short-link domain or unrelated big domains', () => {
    const fine = [
      'qinghe-xf.cn',
      'app.qinghe-xf.cn',
      'www.qinghe-xf.cn',
      'qhxf.cn',
      'baidu.com',
      'qq.com',
      'taobao.com',
      'jd.com',
      'alipay.com',
      'weibo.com',
      '163.com',
      'gov.cn',
      'pbc.gov.cn',
      'apple.com',
      'google.com',
      'tmall.com',
      'xinhuanet.com',
      't.cn',
      'dwz.cn',
      'url.cn',
    ];
    for (const domain of fine) expect(domainSigns(domain, LENDERS), domain).toEqual([]);
  });

  it("also catches look-alikes of every lender's domains when the text names no lender", () => {
    const result = checkText('请访问 anxin-cf.co 还款', LENDERS);
    expect(result.claimedLender).toBe('anxin');
    expect(result.indicators.map((i) => i.id)).toContain('lookalike_domain');
  });
});
