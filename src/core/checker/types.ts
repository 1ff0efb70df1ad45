/**
 * The message checker's vocabulary. Pure data: the checker (src/core/checker/) turns a pasted
 * text and the lenders' official contacts into indicators; services match against sent messages.
 */

export type Severity = 'low' | 'medium' | 'high';
export type Risk = 'none' | 'low' | 'medium' | 'high';

/** A half-open range [start, end) of UTF-16 offsets in the ORIGINAL text (for highlighting in place). */
export interface Span {
  start: number;
  end: number;
}

/** What a lender tells the world is theirs (from its profile). */
export interface OfficialContacts {
  slug: string;
  name: string;
  nameEn: string;
  /** Without brackets: 青禾消费金融. */
  signature: string;
  /** Registrable domains and hosts the lender uses: qinghe-xf.cn, app.qinghe-xf.cn. */
  domains: string[];
  shortLinkDomain: string;
  /** As written: "400-186-5533". */
  hotlines: string[];
  /** Words a scammer would borrow: the brand in pinyin/English and Chinese (青禾, qinghe). */
  brandWords: string[];
  /** Corporate repayment accounts the lender publishes (as written); a transfer to one of these is not a scam sign. */
  accounts?: string[];
}

export interface ExtractedUrl extends Span {
  raw: string;
  /** Lower-case host (punycode decoded to Unicode in `unicodeHost`), no port. */
  host: string;
  unicodeHost: string;
  /** Registrable domain of the host (Unicode), where the link really goes: qinghe-xf.cn.evil.top → evil.top; the host for an IP. */
  domain: string;
  /** True when written without a scheme (bare domain inside the text). */
  bare: boolean;
  path: string;
}

export type PhoneKind = 'mobile' | 'landline' | 'service' | 'foreign' | 'unknown';

export interface ExtractedPhone extends Span {
  raw: string;
  /** Digits only, as dialled (e.g. "4001865533", "95588", "10690000123"). */
  digits: string;
  e164: string | null;
  kind: PhoneKind;
}

export interface ExtractedAmount extends Span {
  raw: string;
  /** In minor units (fen) when the currency is CNY or unknown. */
  minor: number;
}

export interface ExtractedCode extends Span {
  raw: string;
  /** Canonical XXXX-XXXX when the check character is right. */
  code: string;
}

export interface ExtractedSignature extends Span {
  /** Normalised (Simplified, NFKC) text inside 【】 or [] . */
  text: string;
}

export interface Extraction {
  urls: ExtractedUrl[];
  phones: ExtractedPhone[];
  amounts: ExtractedAmount[];
  dates: Array<Span & { raw: string }>;
  referenceCodes: ExtractedCode[];
  signatures: ExtractedSignature[];
  /** Bank-card or account-like digit runs (12–19 digits) that are not phone numbers. */
  accounts: Array<Span & { raw: string }>;
}

export interface Indicator {
  /** Stable id, e.g. "lookalike_domain", "transfer_to_safe_account". */
  id: string;
  severity: Severity;
  /** An act no genuine lender asks for (see risk.ts): it makes the risk high on its own. */
  decisive: boolean;
  /**
   * The suspicious part, as found in the text (a domain, a number, a phrase); for `reported_scam`,
   * the domain or number as it was reported (its spans mark where the text carries it).
   */
  evidence: string;
  /** Plain-words explanation, in both languages. */
  explanation: { 'zh-CN': string; en: string };
  /** Where in the original text it is, for highlighting. */
  spans: Span[];
}

export interface CheckResult {
  /** The normalised text (NFKC, zero-width removed, Traditional → Simplified, whitespace folded). */
  normalized: string;
  extraction: Extraction;
  indicators: Indicator[];
  /** How the indicators add up (risk.ts): decisive alone, or independent families together. */
  risk: Risk;
  /** The lender the text claims to be from (by signature, domain or brand word), when one is recognised. */
  claimedLender: string | null;
}
