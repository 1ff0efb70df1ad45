import type { Risk } from '../../../src/core/checker/types.ts';

/**
 * One scam text of the test corpus, as an analyst labels it: the level they would give it and the
 * decisive acts it asks for. The labelling rule is in README-risk-model.md.
 */

export type DecisiveSign =
  | 'lookalike_domain'
  | 'official_as_subdomain'
  | 'brand_in_foreign_domain'
  | 'raw_ip_link'
  | 'asks_for_code'
  | 'asks_for_password_or_id'
  | 'transfer_to_safe_account'
  | 'unfreeze_or_release_fee'
  | 'screen_sharing'
  | 'personal_mobile_contact'
  | 'overseas_number'
  | 'non_official_number';

/** The level a fraud analyst gives the text (the rule is in README-risk-model.md). */
export type AnalystLevel = Exclude<Risk, 'none'>;

export interface ScamSample {
  lang: 'zh-Hans' | 'zh-Hant' | 'en';
  level: AnalystLevel;
  text: string;
  /** The decisive acts the text asks for, by the indicator that must name each. */
  decisive: DecisiveSign[];
}

export const s = (
  lang: ScamSample['lang'],
  level: AnalystLevel,
  text: string,
  ...decisive: DecisiveSign[]
): ScamSample => ({
  lang,
  level,
  text,
  decisive,
});
