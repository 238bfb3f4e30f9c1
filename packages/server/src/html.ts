// The public HTML pages (forms, landing pages, thank-you pages). Every value that reaches a page
// goes through escapeHtml, whoever wrote it; the one stylesheet is inline and allowed by its hash,
// so the Content-Security-Policy can forbid everything else (no scripts at all).
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"'`]/g, (char) => ESCAPES[char]!);
}

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5}
body{margin:0;padding:1.5rem;background:Canvas;color:CanvasText}
main{max-width:40rem;margin:0 auto}
h1{font-size:1.75rem;line-height:1.2}
fieldset{border:1px solid GrayText;border-radius:.5rem;padding:1rem;margin:0 0 1.25rem}
legend{font-weight:600;padding:0 .25rem}
.wm-field{margin:0 0 1rem}
.wm-field label{display:block;font-weight:600;margin-bottom:.25rem}
.wm-check{display:flex;gap:.5rem;align-items:flex-start;margin:0 0 .75rem}
.wm-check label{font-weight:400}
input[type=text],input[type=email],input[type=number],select{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid GrayText;border-radius:.25rem}
input[type=checkbox]{width:1.25rem;height:1.25rem;margin-top:.15rem}
:focus-visible{outline:3px solid Highlight;outline-offset:2px}
.wm-help{margin:.25rem 0 0;font-size:.9rem}
.wm-error{margin:.25rem 0 0;color:#b00020;font-weight:600}
@media (prefers-color-scheme:dark){.wm-error{color:#ff8a80}}
[aria-invalid=true]{border-color:#b00020;border-width:2px}
.wm-summary{border:3px solid #b00020;border-radius:.5rem;padding:0 1rem;margin:0 0 1.5rem}
.wm-summary a{color:inherit}
button{font:inherit;font-weight:600;padding:.6rem 1.4rem;border-radius:.4rem;border:0;background:#1a56db;color:#fff;cursor:pointer}
.wm-hp,.wm-sr{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.wm-required{color:#b00020}
`.trim();

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * A strict policy: no scripts, no plugins, no other origins; the inline stylesheet by hash; forms
 * post only to us (and, after a submission, to `redirectOrigins`, since browsers check a redirect
 * after a form post too). Any site may frame the page: embedding forms is the point.
 */
export function contentSecurityPolicy(redirectOrigins: readonly string[] = []): string {
  const formAction = ["'self'", ...redirectOrigins].join(' ');
  return `default-src 'none'; style-src ${STYLE_HASH}; img-src 'self'; form-action ${formAction}; base-uri 'none'; frame-ancestors *`;
}

export interface HtmlDocument {
  title: string;
  /** Already-escaped markup for inside <main>. */
  main: string;
  lang?: string;
}

export function htmlDocument({ title, main, lang = 'en' }: HtmlDocument): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${main}
</main>
</body>
</html>
`;
}

/** Sends a page with the security headers every public page carries. */
export function sendHtml(reply: FastifyReply, status: number, html: string, redirectOrigins: readonly string[] = []): FastifyReply {
  return reply
    .status(status)
    .header('content-security-policy', contentSecurityPolicy(redirectOrigins))
    .header('x-content-type-options', 'nosniff')
    // Links from our pages must not carry a visitor's signed link (?wm=) to other sites.
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** A short page for a status a person sees: not found, too many submissions, and the like. */
export function messagePage(title: string, message: string): string {
  return htmlDocument({ title, main: `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>` });
}

/** Plain text as paragraphs: blank lines separate them, single line breaks stay. */
export function paragraphs(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => `<p>${part.split(/\r?\n/).map(escapeHtml).join('<br>')}</p>`)
    .join('\n');
}
