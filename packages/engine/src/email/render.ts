// Turns a published email plus one recipient into the message that is sent: Liquid personalisation,
// tracked links, the open pixel, a text part and the RFC 8058 one-click unsubscribe headers.
import { Liquid, toValue, type Context, type Emitter, type Template } from 'liquidjs';

export interface EmailContent {
  id: string;
  version?: number;
  subject: string;
  html: string;
  text?: string | null;
  fromName?: string | null;
  fromAddress?: string | null;
}

export interface RenderVars {
  contact: Record<string, unknown>;
  account: Record<string, unknown> | null;
  content: Record<string, unknown>;
}

export interface TrackingLinks {
  click(url: string): string;
  openPixel: string;
  unsubscribe: string;
  oneClickUnsubscribe: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

export interface EmailRendererOptions {
  /** How many compiled emails (id + version) to keep; the least recently used goes first. */
  cacheSize?: number;
  /** Upper bound in ms for rendering one part, so a runaway `{% for %}` cannot stall a worker. */
  renderLimitMs?: number;
}

/**
 * What one template may cost (docs/limits.md). Users write templates, so a template must never be
 * able to take the process down: a `{% for i in (1..200000000) %}` once made V8 abort on the range
 * array, in preview and again in every send after a restart.
 */
export const TEMPLATE_LIMITS = {
  /** Characters of Liquid source parsed at once: the largest part an email may have. */
  parseChars: 1_000_000,
  /**
   * Liquid's own allocation budget for one render: elements of ranges and arrays, characters of
   * strings made by filters. Checked before allocating, so the range above fails instead of aborting.
   */
  memoryUnits: 10_000_000,
  /** Characters one part (or one `{% capture %}`) may output; mail clients clip far below this. */
  outputChars: 1_048_576,
} as const;

/** A template that failed as it rendered: over a limit, or a Liquid error with this contact's data. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
  /** Which part of the email failed, when known. */
  part?: EmailPart;
}

export type EmailPart = 'subject' | 'html' | 'text';

/** The emitter Liquid writes output into, refusing to grow past `outputChars`. */
class BoundedEmitter implements Emitter {
  buffer = '';

  write(html: unknown): void {
    const text = outputText(html);
    if (this.buffer.length + text.length > TEMPLATE_LIMITS.outputChars) {
      throw new TemplateRenderError(`output exceeds ${TEMPLATE_LIMITS.outputChars} characters`);
    }
    this.buffer += text;
  }
}

/** Liquid's own rendering of an output value: drops resolved, arrays joined, nothing for nil. */
function outputText(value: unknown): string {
  const resolved: unknown = toValue(value);
  if (typeof resolved === 'string') return resolved;
  if (resolved === null || resolved === undefined) return '';
  if (Array.isArray(resolved)) return resolved.map(outputText).join('');
  return String(resolved);
}

function boundedLiquid(options: ConstructorParameters<typeof Liquid>[0]): Liquid {
  const liquid = new Liquid({ ...options, parseLimit: TEMPLATE_LIMITS.parseChars, memoryLimit: TEMPLATE_LIMITS.memoryUnits });
  // Every render without an emitter of its own (the whole part, and each `{% capture %}`) gets a
  // bounded one: liquidjs counts no output against memoryLimit, so a loop doubling a captured
  // string would otherwise reach gigabytes before any limit fired.
  const renderer = liquid.renderer;
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = (templates: Template[], ctx: Context, emitter?: Emitter) => renderTemplates(templates, ctx, emitter ?? new BoundedEmitter());
  return liquid;
}

// Shared by both engines. `templates: {}` makes include/render/layout look in an empty in-memory
// map instead of the server's file system: templates are written by users, not by us.
// `strictFilters` turns a misspelt filter into a parse error so publish rejects it, rather than the
// filter silently doing nothing in every sent message. Unknown variables still render empty.
const baseOptions = { templates: {}, strictFilters: true, ownPropertyOnly: true } as const;
const htmlLiquid = boundedLiquid({ ...baseOptions, outputEscape: 'escape' });
const plainLiquid = boundedLiquid(baseOptions);

/** The Liquid error of a template (subject, html or text), or null when it parses. */
export function validateTemplate(source: string): string | null {
  try {
    plainLiquid.parse(source);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const REQUIRED_PLACEHOLDERS = ['content.subscriptionCenterUrl', 'content.postalAddress'] as const;

/** Which placeholders every published email must output (contract §3) are not in `html`. */
export function missingRequiredPlaceholders(html: string): string[] {
  return REQUIRED_PLACEHOLDERS.filter((name) => {
    const [scope, key] = name.split('.');
    // `{{ content.x }}`, `{{- content.x | upcase -}}`, `{{content["x"]}}`; not `content.xy`.
    const output = new RegExp(
      String.raw`\{\{-?\s*${scope}(?:\.${key}|\[\s*["']${key}["']\s*\])\s*(?:\|[^}]*)?-?\}\}`,
    );
    return !output.test(html);
  });
}

interface Compiled {
  sources: [string, string, string | null];
  subject: Template[];
  html: Template[];
  text: Template[] | null;
}

export class EmailRenderer {
  // Compiling is the costly part and a journey sends the same email to many thousands of contacts.
  // A Map iterates in insertion order, which makes it a small LRU.
  private readonly cache = new Map<string, Compiled>();
  private readonly cacheSize: number;
  private readonly renderLimit: number;

  constructor(opts: EmailRendererOptions = {}) {
    this.cacheSize = opts.cacheSize ?? 500;
    this.renderLimit = opts.renderLimitMs ?? 2_000;
  }

  async render(email: EmailContent, vars: RenderVars, links: TrackingLinks): Promise<RenderedEmail> {
    const compiled = this.compiled(email);
    const scope = {
      contact: vars.contact,
      account: vars.account ?? {},
      // The plain unsubscribe page is offered to templates too, unless content settings name one.
      content: { unsubscribeUrl: links.unsubscribe, ...vars.content },
    };
    const limits = { renderLimit: this.renderLimit };
    const [subject, body, text] = await Promise.all([
      renderPart('subject', plainLiquid, compiled.subject, scope, limits),
      renderPart('html', htmlLiquid, compiled.html, scope, limits),
      compiled.text ? renderPart('text', plainLiquid, compiled.text, scope, limits) : null,
    ]);
    // The subscription center link is not tracked: managing subscriptions is not interest in the
    // message (a `clicked` trigger must not fire on it), and the link must work as sent.
    const click = (url: string) => (url === links.unsubscribe ? url : links.click(url));
    const html = addOpenPixel(rewriteLinks(body, click), links.openPixel);
    return {
      // A contact value with a line break must not start a new header line.
      subject: subject.replace(/[\r\n]+\s*/g, ' ').trim(),
      html,
      text: text !== null ? rewriteTextUrls(text, click) : htmlToText(html),
      headers: {
        'List-Unsubscribe': `<${links.oneClickUnsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    };
  }

  private compiled(email: EmailContent): Compiled {
    try {
      return this.compile(email);
    } catch (error) {
      throw new TemplateRenderError(`invalid Liquid: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private compile(email: EmailContent): Compiled {
    const key = `${email.id}@${email.version ?? 'draft'}`;
    const sources: Compiled['sources'] = [email.subject, email.html, email.text ?? null];
    const hit = this.cache.get(key);
    this.cache.delete(key);
    // Drafts have no version and change in place: recompile when the source moved on.
    if (hit && hit.sources.every((s, i) => s === sources[i])) {
      this.cache.set(key, hit);
      return hit;
    }
    const entry: Compiled = {
      sources,
      subject: plainLiquid.parse(email.subject),
      html: htmlLiquid.parse(email.html),
      text: email.text ? plainLiquid.parse(email.text) : null,
    };
    this.cache.set(key, entry);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return entry;
  }
}

/** One part rendered; any failure (a limit, a Liquid error) as a TemplateRenderError naming the part. */
async function renderPart(part: EmailPart, liquid: Liquid, templates: Template[], scope: object, limits: { renderLimit: number }): Promise<string> {
  try {
    return (await liquid.render(templates, scope, limits)) as string;
  } catch (error) {
    // liquidjs wraps an error thrown by our emitter; its cause says which limit it was.
    const cause = error instanceof Error ? (error as Error & { originalError?: unknown }).originalError : undefined;
    let failure: TemplateRenderError;
    if (error instanceof TemplateRenderError) failure = error;
    else if (cause instanceof TemplateRenderError) failure = cause;
    else failure = new TemplateRenderError(error instanceof Error ? error.message : String(error));
    failure.part = part;
    throw failure;
  }
}

// ---- HTML helpers ----------------------------------------------------------------------------

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// An <a> start tag; quoted attribute values may contain '>'.
const ANCHOR_TAG = /<a\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
// The href attribute inside it: preceded by whitespace so `data-href` does not count.
const HREF_ATTR = /(\s)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const HTTP_URL = /^https?:\/\//i;

function rewriteLinks(html: string, click: (url: string) => string): string {
  return html.replace(ANCHOR_TAG, (tag) =>
    tag.replace(HREF_ATTR, (whole, space: string, dq?: string, sq?: string, bare?: string) => {
      const url = decodeEntities((dq ?? sq ?? bare ?? '').trim());
      // mailto:, tel:, #anchors and anything else that is not a web page keep their target.
      if (!HTTP_URL.test(url)) return whole;
      return `${space}href="${escapeAttr(click(url))}"`;
    }),
  );
}

function addOpenPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${escapeAttr(pixelUrl)}" width="1" height="1" alt="" style="display:none">`;
  const close = html.search(/<\/body\s*>/i);
  return close === -1 ? html + img : html.slice(0, close) + img + html.slice(close);
}

// A URL in plain text ends at whitespace or a bracket/quote; trailing sentence punctuation
// ("see https://x.y/a.") is not part of it.
const TEXT_URL = /https?:\/\/[^\s<>"'()[\]]+[^\s<>"'()[\].,;:!?]/gi;

function rewriteTextUrls(text: string, click: (url: string) => string): string {
  return text.replace(TEXT_URL, (url) => click(url));
}

/** A readable text part from the (already tracked) HTML: links become "label (url)". */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<a\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/a\s*>/gi, (_whole, attrs: string, inner: string) => {
      const href = HREF_ATTR.exec(` ${attrs}`);
      // Left entity-encoded: the whole text is decoded once at the end.
      const url = (href?.[2] ?? href?.[3] ?? href?.[4] ?? '').trim();
      const label = inner.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
      if (!url || url.startsWith('#')) return label;
      const shown = url.replace(/^mailto:/i, '');
      return !label || decodeEntities(label) === decodeEntities(shown) ? shown : `${label} (${shown})`;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|ul|ol|table|tr|blockquote|section|header|footer)\s*>/gi, '\n\n')
    .replace(/<(p|div|h[1-6]|tr|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/t[dh]\s*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
