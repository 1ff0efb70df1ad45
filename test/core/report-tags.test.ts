import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../src/core/checker/types.ts';
import { ITEM_TAGS, itemTagValue, parseItemTags, suggestedItemTags } from '../../src/core/report-tags.ts';

// Tags of each reported domain and number: only tags that fit its kind, and the checker's own
// signs ticked for the item they name.

const sign = (id: string, evidence: string): Indicator => ({
  id,
  severity: 'high',
  decisive: false,
  evidence,
  explanation: { 'zh-CN': '', en: '' },
  spans: [],
});

describe('tags per reported item', () => {
  it('never offers a domain tag to a number or a number tag to a domain', () => {
    expect(ITEM_TAGS.number).not.toContain('lookalike_link');
    expect(ITEM_TAGS.domain).not.toContain('fake_hotline');
  });

  it('ticks what the signs say about this item only', () => {
    const signs = [sign('lookalike_domain', 'qinghe-xf.top'), sign('non_official_number', '400-800-1234')];
    expect(suggestedItemTags('domain', 'qinghe-xf.top', signs)).toEqual(['lookalike_link']);
    expect(suggestedItemTags('domain', 'other.top', signs)).toEqual([]);
    expect(suggestedItemTags('number', '4008001234', signs)).toEqual(['fake_hotline']);
    expect(suggestedItemTags('number', '+8613912345678', [sign('chat_app_move', '微信 13912345678')])).toEqual([
      'chat_app',
    ]);
  });

  it('reads the chosen tags and names whatever does not fit', () => {
    const items = [
      { kind: 'domain' as const, value: 'qinghe-xf.top' },
      { kind: 'number' as const, value: '4008001234' },
    ];
    const { tags, invalid } = parseItemTags(
      [
        itemTagValue('domain', 'qinghe-xf.top', 'lookalike_link'),
        itemTagValue('domain', 'qinghe-xf.top', 'lookalike_link'),
        itemTagValue('number', '4008001234', 'fake_hotline'),
        itemTagValue('number', '4008001234', 'lookalike_link'),
        'domain|elsewhere.top|other',
        'garbage',
      ],
      items,
    );
    expect(Object.fromEntries(tags)).toEqual({
      'domain|qinghe-xf.top': ['lookalike_link'],
      'number|4008001234': ['fake_hotline'],
    });
    expect(invalid).toEqual(['number|4008001234|lookalike_link', 'domain|elsewhere.top|other', 'garbage']);
  });
});
