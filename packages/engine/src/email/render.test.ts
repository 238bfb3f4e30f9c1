import { describe, expect, it } from 'vitest';
import { EmailRenderer, htmlToText, missingRequiredPlaceholders, TemplateRenderError, validateTemplate, type EmailContent, type RenderVars, type TrackingLinks } from './render.ts';

const links: TrackingLinks = {
  click: (url) => `https://t.example/c?u=${encodeURIComponent(url)}&s=1`,
  openPixel: 'https://t.example/o/tok?x=1&y=2',
  unsubscribe: 'https://t.example/u/tok',
  oneClickUnsubscribe: 'https://t.example/u1/tok',
};

const vars: RenderVars = {
  contact: { firstName: 'Ada', attributes: { city: 'London' } },
  account: { name: 'Acme' },
  content: { subscriptionCenterUrl: 'https://pref.example/sc', postalAddress: '1 Main St' },
};

const email = (over: Partial<EmailContent> = {}): EmailContent => ({
  id: 'e1',
  version: 1,
  subject: 'Hi {{ contact.firstName }}',
  html: '<html><body><p>Hello {{ contact.firstName }} from {{ contact.attributes.city }} at {{ account.name }}</p></body></html>',
  ...over,
});

const tracked = (url: string) => links.click(url).replace(/&/g, '&amp;');

describe('EmailRenderer', () => {
  const renderer = new EmailRenderer();

  it('renders liquid variables; unknown ones are empty', async () => {
    const out = await renderer.render(email({ id: 'vars', subject: 'Hi {{ contact.firstName }}{{ contact.nope.deeper }}!' }), vars, links);
    expect(out.subject).toBe('Hi Ada!');
    expect(out.html).toContain('<p>Hello Ada from London at Acme</p>');
    expect(out.text).toBe('Hello Ada from London at Acme');
  });

  it('escapes hostile values in html but not in subject or text', async () => {
    const hostile = { ...vars, contact: { firstName: '<script>alert(1)</script>' } };
    const out = await renderer.render(email({ id: 'hostile', text: 'Hi {{ contact.firstName }}' }), hostile, links);
    expect(out.html).not.toContain('<script>');
    expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.subject).toBe('Hi <script>alert(1)</script>');
    expect(out.text).toBe('Hi <script>alert(1)</script>');
  });

  it('keeps a contact value from adding header lines to the subject', async () => {
    const out = await renderer.render(email({ id: 'crlf' }), { ...vars, contact: { firstName: 'A\r\nBcc: x@y' } }, links);
    expect(out.subject).toBe('Hi A Bcc: x@y');
  });

  it('rewrites http(s) links and leaves mailto, tel and anchors alone', async () => {
    const html = [
      '<body>',
      '<a href="https://example.com/a?x=1&amp;y=2">A</a>',
      "<a class='btn' HREF='http://example.com/b' target=\"_blank\">B</a>",
      '<A title="x > y" data-href="https://no.example" href=https://example.com/c>C</A>',
      '<a href="mailto:hi@example.com">mail</a>',
      '<a href="tel:+441234">call</a>',
      '<a href="#top">top</a>',
      '<a name="plain">no href</a>',
      '</body>',
    ].join('\n');
    const out = await renderer.render(email({ id: 'links', html }), vars, links);
    expect(out.html).toContain(`<a href="${tracked('https://example.com/a?x=1&y=2')}">A</a>`);
    expect(out.html).toContain(`<a class='btn' href="${tracked('http://example.com/b')}" target="_blank">B</a>`);
    expect(out.html).toContain(`<A title="x > y" data-href="https://no.example" href="${tracked('https://example.com/c')}">C</A>`);
    expect(out.html).toContain('<a href="mailto:hi@example.com">mail</a>');
    expect(out.html).toContain('<a href="tel:+441234">call</a>');
    expect(out.html).toContain('<a href="#top">top</a>');
    expect(out.html).toContain('<a name="plain">no href</a>');
    // The derived text shows the tracked URL next to each label.
    expect(out.text).toContain(`A (${links.click('https://example.com/a?x=1&y=2')})`);
    expect(out.text).toContain('mail (hi@example.com)');
    expect(out.text).toContain('top');
  });

  it('rewrites links produced by liquid output', async () => {
    const html = '<a href="{{ content.subscriptionCenterUrl }}?c={{ contact.firstName }}&amp;z=1">prefs</a>';
    const out = await renderer.render(email({ id: 'liquid-link', html }), vars, links);
    expect(out.html).toContain(`href="${tracked('https://pref.example/sc?c=Ada&z=1')}"`);
  });

  it('adds the open pixel before </body>, or at the end without one', async () => {
    const pixel = '<img src="https://t.example/o/tok?x=1&amp;y=2" width="1" height="1" alt="" style="display:none">';
    const withBody = await renderer.render(email({ id: 'px1' }), vars, links);
    expect(withBody.html).toMatch(new RegExp(`${pixel.replace(/[.?*()[\]]/g, '\\$&')}</body></html>$`));
    const fragment = await renderer.render(email({ id: 'px2', html: '<p>x</p>' }), vars, links);
    expect(fragment.html).toBe(`<p>x</p>${pixel}`);
  });

  it('renders a given text part with tracked URLs', async () => {
    const text = 'Hi {{ contact.firstName }}, see https://example.com/x?a=1&b=2. Or mail hi@example.com';
    const out = await renderer.render(email({ id: 'text', text }), vars, links);
    expect(out.text).toBe(`Hi Ada, see ${links.click('https://example.com/x?a=1&b=2')}. Or mail hi@example.com`);
  });

  it('carries the RFC 8058 one-click unsubscribe headers', async () => {
    const out = await renderer.render(email({ id: 'headers' }), vars, links);
    expect(out.headers).toEqual({
      'List-Unsubscribe': '<https://t.example/u1/tok>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('offers the unsubscribe page as content.unsubscribeUrl', async () => {
    const out = await renderer.render(email({ id: 'unsub', html: '{{ content.unsubscribeUrl }}' }), vars, links);
    expect(out.html).toContain('https://t.example/u/tok');
  });

  it('recompiles a draft whose source changed, and caches a version', async () => {
    const r = new EmailRenderer({ cacheSize: 2 });
    const draft = { id: 'd', subject: 'one', html: 'x' };
    expect((await r.render(draft, vars, links)).subject).toBe('one');
    expect((await r.render({ ...draft, subject: 'two' }, vars, links)).subject).toBe('two');
    for (const id of ['a', 'b', 'c']) await r.render(email({ id }), vars, links);
    expect((await r.render(email({ id: 'a' }), vars, links)).subject).toBe('Hi Ada');
  });
});

describe('htmlToText', () => {
  it('keeps structure readable', () => {
    const text = htmlToText('<head><style>p{}</style></head><h1>Title</h1><p>One&nbsp;&amp; two<br>three</p><ul><li>a</li><li>b</li></ul>');
    expect(text).toBe('Title\n\nOne & two\nthree\n\n- a\n- b');
  });
});

describe('missingRequiredPlaceholders', () => {
  it('lists what is not output', () => {
    expect(missingRequiredPlaceholders('<p>nothing</p>')).toEqual(['content.subscriptionCenterUrl', 'content.postalAddress']);
    expect(missingRequiredPlaceholders('{{content.subscriptionCenterUrl}} {{- content.postalAddress | upcase -}}')).toEqual([]);
    expect(missingRequiredPlaceholders('<a href="{{ content.subscriptionCenterUrl }}">x</a> {{ content.postalAddressee }}')).toEqual(['content.postalAddress']);
    expect(missingRequiredPlaceholders('{% comment %}{% endcomment %}content.postalAddress {{ content["subscriptionCenterUrl"] }}')).toEqual(['content.postalAddress']);
  });
});

describe('validateTemplate', () => {
  it('returns null for a valid template and the message for a broken one', () => {
    expect(validateTemplate('Hi {{ contact.firstName | default: "there" }}{% if account %}!{% endif %}')).toBeNull();
    expect(validateTemplate('Hi {{ contact.firstName ')).toMatch(/not closed/);
    expect(validateTemplate('{% if x %}open')).toMatch(/not closed/);
    expect(validateTemplate('{{ x | no_such_filter }}')).toMatch(/undefined filter/);
  });
});

describe('EmailRenderer limits', () => {
  const renderer = new EmailRenderer();
  const render = (html: string, over: Partial<EmailContent> = {}) => renderer.render(email({ id: `limits-${html.length}-${html.slice(0, 40)}`, html, ...over }), vars, links);

  it('fails a range of 200 million with a render error instead of aborting the process', async () => {
    await expect(render('{% for i in (1..200000000) %}{% endfor %}')).rejects.toThrow(TemplateRenderError);
    await expect(render('{% for i in (1..200000000) %}{% endfor %}')).rejects.toThrow(/memory/);
    // The same in the subject and the text part.
    await expect(render('<p>x</p>', { subject: '{% for i in (1..200000000) %}{% endfor %}' })).rejects.toThrow(TemplateRenderError);
  });

  it('refuses output past the limit, in a part and in a capture, before it is built', async () => {
    const big = 'x'.repeat(100_000);
    await expect(render(`{% for i in (1..700) %}${big}{% endfor %}`)).rejects.toThrow(/output exceeds 1048576 characters/);
    // Doubling a captured string allocates nothing liquidjs counts: only the output bound stops it.
    const doubling = '{% capture c %}xxxxxxxxxxxxxxxx{% endcapture %}{% for i in (1..40) %}{% capture c %}{{ c }}{{ c }}{% endcapture %}{% endfor %}{{ c }}';
    await expect(render(doubling)).rejects.toThrow(/output exceeds/);
    const before = process.memoryUsage().rss;
    await expect(render(`{% for i in (1..1000) %}{% for j in (1..1000) %}${'y'.repeat(64)}{% endfor %}{% endfor %}`)).rejects.toThrow(/output exceeds/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('renders output up to the limit', async () => {
    const out = await render(`<p>{% for i in (1..1000) %}${'z'.repeat(1000)}{% endfor %}</p>`);
    expect(out.html.length).toBeGreaterThan(1_000_000);
  });

  it('answers a render error for a template that does not parse', async () => {
    await expect(render('{{ contact.firstName | nosuchfilter }}')).rejects.toThrow(TemplateRenderError);
  });
});
