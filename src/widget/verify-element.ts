/**
 * <zhenxin-verify lender="demo" lang="zh-CN">: the embeddable "is this message genuine?" check,
 * built into /widget/v1.js (an ES module, no dependencies).
 *
 * It must keep working on pages we do not control: everything lives in an open shadow root, the
 * styles arrive as a constructable stylesheet (allowed under a strict CSP with no
 * 'unsafe-inline'), the DOM is built node by node (no innerHTML, so Trusted Types pages work
 * too), the host element's own styles are reset with !important (a page's `* { all: unset }`
 * reaches it) and sizes are in em of a `medium` font, not rem (a page may change its root size).
 * It asks this site which page origins the lender registered; elsewhere it refuses plainly and
 * gives the hotline, and every error message does too.
 */

import { type Strings, strings } from './strings.ts';
import { STYLES } from './styles.ts';

type Method = 'text' | 'link' | 'code';
interface Settings {
  name: string;
  nameEn: string;
  hotlines: string[];
  domains: string[];
  /** The lender's time zone: a sending time reads as the borrower's SMS app shows it. */
  timeZone: string;
  originAllowed: boolean;
}
interface Indicator {
  id: string;
  severity: string;
  evidence: string;
  explanation: string;
  /** Where it stands in the submitted text, as written there. */
  spans?: Array<{ start: number; end: number }>;
}
interface Answer {
  verdict: 'genuine' | 'not_sent' | 'expired';
  risk: 'none' | 'low' | 'medium' | 'high';
  indicators: Indicator[];
  message?: { sentAt: string; maskedPhone: string };
  official: { name: string; domains: string[]; hotlines: string[] } | null;
}

const API = new URL('/', import.meta.url).origin;
const MAX_TEXT = 2000;
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}$/i;
let ids = 0;

type Child = Node | string | false | null | undefined;
function h(tag: string, props: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value);
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

let sheet: CSSStyleSheet | null = null;

class ZhenxinVerify extends HTMLElement {
  static observedAttributes = ['lender', 'lang'];
  #root = this.attachShadow({ mode: 'open' });
  #t: Strings = strings('zh-CN');
  #settings: Settings | null = null;
  #method: Method = 'text';
  #out = h('div', { class: 'out', 'aria-live': 'polite' });
  #form: HTMLFormElement | null = null;
  #busy = false;
  #ready: Promise<Settings | 'missing' | 'offline'> | null = null;

  connectedCallback() {
    this.#render();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#render();
  }

  get #lender() {
    return (this.getAttribute('lender') ?? '').trim();
  }

  #locale(): 'zh-CN' | 'en' {
    const lang = this.getAttribute('lang') || this.closest('[lang]')?.getAttribute('lang') || '';
    return /^en\b/i.test(lang) ? 'en' : 'zh-CN';
  }

  #render() {
    this.#t = strings(this.#locale());
    if (!sheet && 'adoptedStyleSheets' in Document.prototype) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
    }
    if (sheet) this.#root.adoptedStyleSheets = [sheet];
    const wrap = h('div', { class: 'w', lang: this.#locale() });
    // Old WebViews without constructable stylesheets (allowed wherever inline styles are).
    if (!sheet) wrap.append(h('style', { text: STYLES }));
    this.#root.replaceChildren(wrap);
    this.#out = h('div', { class: 'out', 'aria-live': 'polite' });
    wrap.append(h('p', { class: 'title', text: this.#t.title }), this.#out);
    void this.#load(wrap);
  }

  /**
   * Shows the form at once and asks for the settings meanwhile (one round trip less before the
   * reader can paste on a slow connection); a page that is not registered loses the form as
   * soon as the answer says so, before anything could be sent.
   */
  async #load(wrap: HTMLElement) {
    const lender = this.#lender;
    if (!/^[a-z0-9-]{1,40}$/.test(lender)) return this.#fail(this.#t.misconfigured);
    this.#ready = this.#fetchSettings(lender);
    this.#form = this.#buildForm();
    wrap.insertBefore(this.#form, this.#out);
    const outcome = await this.#ready;
    if (outcome === 'missing') this.#fail(this.#t.misconfigured);
    else if (outcome === 'offline') this.#fail(this.#t.offline, true);
    else if (!outcome.originAllowed) this.#fail(this.#t.notHere(this.#lenderName()));
  }

  async #fetchSettings(lender: string): Promise<Settings | 'missing' | 'offline'> {
    try {
      const response = await fetch(`${API}/api/v1/widget/${lender}`, { credentials: 'omit' });
      if (response.status === 404) return 'missing';
      if (!response.ok) return 'offline';
      this.#settings = (await response.json()) as Settings;
      return this.#settings;
    } catch {
      return 'offline';
    }
  }

  #time(instant: string) {
    const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
    try {
      return new Date(instant).toLocaleString(this.#locale(), { ...options, timeZone: this.#settings?.timeZone });
    } catch {
      return new Date(instant).toLocaleString(this.#locale(), options);
    }
  }

  #lenderName() {
    const s = this.#settings;
    return s ? (this.#locale() === 'en' ? s.nameEn : s.name) : '';
  }

  #buildForm(): HTMLFormElement {
    const t = this.#t;
    const id = `zx${++ids}`;
    const ways = h('fieldset', { class: 'ways' }, h('legend', { text: t.how }));
    for (const [method, label] of [
      ['text', t.byText],
      ['link', t.byLink],
      ['code', t.byCode],
    ] as const) {
      const radio = h('input', {
        type: 'radio',
        name: `${id}m`,
        value: method,
        id: `${id}${method}`,
      }) as HTMLInputElement;
      radio.checked = method === this.#method;
      radio.addEventListener('change', () => this.#choose(method));
      ways.append(h('span', { class: 'way' }, radio, h('label', { for: `${id}${method}`, text: label })));
    }
    const field = (name: string, label: string, hint: string, control: HTMLElement) => {
      control.id = `${id}${name}`;
      control.setAttribute('name', name);
      control.setAttribute('aria-describedby', `${id}${name}h ${id}${name}e`);
      return h(
        'div',
        { class: 'field', 'data-field': name },
        h('label', { for: `${id}${name}`, text: label }),
        h('p', { class: 'hint', id: `${id}${name}h`, text: hint }),
        h('p', { class: 'err', id: `${id}${name}e` }),
        control,
      );
    };
    const form = h(
      'form',
      { novalidate: '' },
      ways,
      h(
        'div',
        { 'data-pane': 'text' },
        field('text', t.textLabel, t.textHint, h('textarea', { rows: '5', spellcheck: 'false' })),
      ),
      h(
        'div',
        { 'data-pane': 'link' },
        field(
          'link',
          t.linkLabel,
          t.linkHint,
          h('input', { type: 'url', inputmode: 'url', autocomplete: 'off', spellcheck: 'false' }),
        ),
      ),
      h(
        'div',
        { 'data-pane': 'code' },
        field(
          'code',
          t.codeLabel,
          t.codeHint,
          h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' }),
        ),
        field(
          'phoneLast4',
          t.last4Label,
          '',
          h('input', { type: 'text', inputmode: 'numeric', maxlength: '4', autocomplete: 'off', class: 'short' }),
        ),
      ),
      h('button', { type: 'submit', text: t.submit }),
    ) as HTMLFormElement;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#check();
    });
    this.#showPane(form);
    return form;
  }

  #choose(method: Method) {
    this.#method = method;
    if (this.#form) this.#showPane(this.#form);
  }

  #showPane(form: HTMLFormElement) {
    for (const pane of form.querySelectorAll<HTMLElement>('[data-pane]')) {
      pane.hidden = pane.dataset.pane !== this.#method;
    }
  }

  #value(name: string) {
    return (this.#form?.querySelector<HTMLInputElement>(`[name="${name}"]`)?.value ?? '').trim();
  }

  /** Marks a field wrong (or right again); returns whether it was fine. */
  #mark(name: string, message: string) {
    const box = this.#form?.querySelector<HTMLElement>(`[data-field="${name}"]`);
    const control = box?.querySelector('input, textarea');
    if (!box || !control) return message === '';
    (box.querySelector('.err') as HTMLElement).textContent = message;
    box.classList.toggle('bad', message !== '');
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
    return message === '';
  }

  #body(): Record<string, string> | null {
    const t = this.#t;
    const body: Record<string, string> = { lender: this.#lender };
    let ok = true;
    let first = '';
    const check = (name: string, message: string) => {
      const fine = this.#mark(name, message);
      if (!fine && !first) first = name;
      ok &&= fine;
    };
    for (const name of ['text', 'link', 'code', 'phoneLast4']) this.#mark(name, '');
    if (this.#method === 'text') {
      const raw = this.#form?.querySelector('textarea')?.value ?? '';
      check('text', raw.trim() === '' ? t.needText : raw.length > MAX_TEXT ? t.tooLong : '');
      body.text = raw;
    } else if (this.#method === 'link') {
      check('link', this.#value('link') === '' ? t.needLink : '');
      body.link = this.#value('link');
    } else {
      check('code', CODE.test(this.#value('code')) ? '' : t.needCode);
      check('phoneLast4', /^\d{4}$/.test(this.#value('phoneLast4')) ? '' : t.needLast4);
      body.code = this.#value('code');
      body.phoneLast4 = this.#value('phoneLast4');
    }
    if (!ok) this.#form?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
    return ok ? body : null;
  }

  async #check() {
    if (this.#busy) return;
    const body = this.#body();
    if (!body) return;
    this.#busy = true;
    const settings = await this.#ready;
    // Not registered here (the refusal is shown) or still unreachable: nothing is sent.
    if (!settings || typeof settings === 'string' || !settings.originAllowed) {
      this.#busy = false;
      if (settings === 'offline') {
        this.#ready = this.#fetchSettings(this.#lender); // the next try asks again
        this.#fail(this.#t.offline, true);
      }
      return;
    }
    this.#status(this.#t.checking);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15_000);
    try {
      const response = await fetch(`${API}/api/v1/verify`, {
        method: 'POST',
        credentials: 'omit',
        headers: { 'content-type': 'application/json', 'accept-language': this.#locale() },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (response.status === 429) {
        const seconds = Number(response.headers.get('retry-after')) || 60;
        return this.#fail(this.#t.tooMany(seconds), true);
      }
      if (response.status === 400) {
        const field = ((await response.json()) as { error?: { field?: string } }).error?.field ?? 'text';
        this.#status('');
        this.#mark(['link', 'code', 'phoneLast4'].includes(field) ? field : 'text', this.#t.unreadable);
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      this.#show((await response.json()) as Answer, body.text ?? body.link ?? '');
    } catch {
      this.#fail(this.#t.offline, true);
    } finally {
      clearTimeout(timer);
      this.#busy = false;
    }
  }

  #status(text: string) {
    this.#out.replaceChildren(text ? h('p', { class: 'status', text }) : '');
  }

  /** A plain message with the official hotline; never a blank box. */
  #fail(text: string, keepForm = false) {
    if (!keepForm && this.#form) {
      this.#form.remove();
      this.#form = null;
    }
    this.#out.replaceChildren(h('div', { class: 'v v-warn', role: 'alert' }, h('p', { text }), this.#contacts()));
  }

  #contacts(official?: Answer['official']): HTMLElement | null {
    const name = official?.name ?? this.#lenderName();
    const hotlines = official?.hotlines ?? this.#settings?.hotlines ?? [];
    const domains = official?.domains ?? this.#settings?.domains ?? [];
    if (!name || hotlines.length === 0) return h('p', { class: 'hint', text: this.#t.noContacts });
    return h(
      'div',
      { class: 'contacts' },
      h('p', { class: 'strong', text: this.#t.official(name) }),
      h(
        'ul',
        {},
        ...hotlines.map((n) =>
          h('li', {}, `${this.#t.hotline} `, h('a', { href: `tel:${n.replace(/[^\d+]/g, '')}`, text: n })),
        ),
        ...domains.map((d) => h('li', {}, `${this.#t.website} `, h('span', { class: 'mono', text: d }))),
      ),
    );
  }

  #show(answer: Answer, submitted: string) {
    const t = this.#t;
    const kind = answer.verdict === 'genuine' ? 'ok' : answer.verdict === 'expired' ? 'info' : 'warn';
    const verdict = h(
      'div',
      { class: `v v-${kind}`, 'data-verdict': answer.verdict, 'data-risk': answer.risk },
      h('p', { class: 'verdict', text: t.verdict[answer.verdict](answer.official?.name ?? this.#lenderName()) }),
      h(
        'p',
        {},
        answer.verdict === 'genuine' && answer.message
          ? t.sent(this.#time(answer.message.sentAt), answer.message.maskedPhone)
          : answer.verdict === 'expired'
            ? t.expired
            : t.advice[answer.risk],
      ),
    );
    const parts: Child[] = [verdict];
    if (answer.indicators.length > 0) {
      parts.push(h('p', { class: 'strong', text: t.signs }));
      if (submitted) parts.push(marked(submitted, answer.indicators));
      parts.push(
        h(
          'ol',
          { class: 'signs' },
          ...answer.indicators.map((i) =>
            h('li', { class: `s-${i.severity}` }, i.explanation, ' ', h('mark', { text: i.evidence })),
          ),
        ),
      );
    }
    parts.push(this.#contacts(answer.official));
    const again = h('button', { type: 'button', class: 'link', text: t.again });
    again.addEventListener('click', () => {
      this.#out.replaceChildren();
      this.#form?.reset();
      this.#form?.querySelector<HTMLElement>(`[name="${this.#method === 'code' ? 'code' : this.#method}"]`)?.focus();
    });
    parts.push(again);
    this.#out.replaceChildren(...parts.filter((p): p is Node => p instanceof Node));
    this.dispatchEvent(
      new CustomEvent('zhenxin-verdict', {
        bubbles: true,
        composed: true,
        detail: { verdict: answer.verdict, risk: answer.risk, indicators: answer.indicators.map((i) => i.id) },
      }),
    );
  }
}

/** The submitted text with each sign marked where it stands (its spans; else its evidence as written). */
function marked(text: string, indicators: readonly Indicator[]): HTMLElement {
  const ranges: Array<[number, number]> = [];
  const lower = text.toLowerCase();
  for (const { evidence, spans } of indicators) {
    if (spans?.length) {
      for (const { start, end } of spans) if (start < end && end <= text.length) ranges.push([start, end]);
      continue;
    }
    const at = evidence ? lower.indexOf(evidence.toLowerCase()) : -1;
    if (at >= 0) ranges.push([at, at + evidence.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const quote = h('blockquote', { class: 'sms' });
  let from = 0;
  for (const [start, end] of ranges) {
    if (start < from) continue;
    quote.append(text.slice(from, start), h('mark', { text: text.slice(start, end) }));
    from = end;
  }
  quote.append(text.slice(from));
  return quote;
}

if (!customElements.get('zhenxin-verify')) customElements.define('zhenxin-verify', ZhenxinVerify);
