import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, escapeHtml, htmlDocument, paragraphs } from './html.ts';

describe('escapeHtml', () => {
  it('escapes everything that could open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(12.5)).toBe('12.5');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('leaves no raw markup character in any string', () => {
    for (let code = 0; code < 0x250; code += 1) {
      const escaped = escapeHtml(`x${String.fromCharCode(code)}y`);
      expect(escaped).not.toMatch(/[<>"'`]/);
    }
  });
});

describe('pages', () => {
  it('turns text into escaped paragraphs', () => {
    expect(paragraphs('One <b>\nstill one\n\n\n  Two & more  ')).toBe('<p>One &lt;b&gt;<br>still one</p>\n<p>Two &amp; more</p>');
    expect(paragraphs('   ')).toBe('');
  });

  it('escapes the title and language of a document', () => {
    const html = htmlDocument({ title: '</title><script>x</script>', main: '<p>ok</p>', lang: '"en' });
    expect(html).toContain('<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>');
    expect(html).toContain('<html lang="&quot;en">');
  });

  it('allows no script, only our stylesheet, and forms to us and to named redirect origins', () => {
    const csp = contentSecurityPolicy(['https://example.com']);
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; img-src 'self'; form-action 'self' https:\/\/example.com; base-uri 'none'; frame-ancestors \*$/);
    expect(csp).not.toContain('script-src');
  });
});
