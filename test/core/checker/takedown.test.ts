import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import { takedownItems } from '../../../src/core/checker/takedown.ts';
import { LENDERS } from './fixtures.ts';

const itemsOf = (text: string) => takedownItems(checkText(text, LENDERS), LENDERS);

describe('takedown items', () => {
  it('lists the domains and numbers of a scam that no lender owns', () => {
    const text =
      '【青禾消费金融】您的账户异常，请登录 https://qinghe-xf.top/login 或 www.qhxf-kefu.com 处理，客服 400-800-1234，微信 13912345678。';
    expect(itemsOf(text)).toEqual({
      domains: ['qhxf-kefu.com', 'qinghe-xf.top'],
      numbers: ['+8613912345678', '4008001234'],
    });
  });

  it('leaves out the lenders’ own domains, short-link domain and hotlines', () => {
    const text = '【青禾消费金融】请在 app.qinghe-xf.cn 或 https://qhxf.cn/r/abc 查看，客服 400-186-5533，另有 95123。';
    expect(itemsOf(text)).toEqual({ domains: [], numbers: [] });
  });

  it('names where a disguised link really goes, once', () => {
    const text = '点击 https://qinghe-xf.cn.verify-center.top/a 和 http://qinghe-xf.cn.verify-center.top/b';
    expect(itemsOf(text).domains).toEqual(['verify-center.top']);
  });

  it('keeps raw IPs and foreign numbers', () => {
    const text = '访问 http://45.77.12.9:8080/pay 或致电 +852 5123 4567';
    const items = itemsOf(text);
    expect(items.domains).toEqual(['45.77.12.9']);
    expect(items.numbers).toEqual(['+85251234567']);
  });
});
