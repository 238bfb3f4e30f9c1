import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const XSS = `"><img src=x onerror=alert(1)><script>alert(2)</script>`;

describe('public marketing forms', () => {
  let server: TestServer;
  const ids = { form: '', list: '' };

  const post = (id: string, body: string, contentType = 'application/x-www-form-urlencoded', headers: Record<string, string> = {}) =>
    fetch(`${server.url}/f/${id}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body, redirect: 'manual' });
  const contactByEmail = async (email: string) => (await server.api('GET', `/contacts?q=${encodeURIComponent(email)}`)).body.items[0];

  beforeAll(async () => {
    server = await startTestServer({ formLimits: { perIp: 1000, perForm: 1000 } });
    ids.list = (await server.api('POST', '/subscription-lists', { name: 'Newsletter' })).body.id;
    const form = await server.api('POST', '/forms', {
      name: `Sign up ${XSS}`,
      fields: [
        { name: 'email', label: 'Email address', type: 'email', required: true, help: 'We never share it.' },
        { name: 'firstName', label: 'First name', type: 'text' },
        { name: 'seats', label: 'Seats', type: 'number' },
        { name: 'plan', label: 'Plan', type: 'select', options: ['Basic', 'Pro'] },
        { name: 'campaign', type: 'hidden' },
        { name: 'terms', label: 'I accept the terms', type: 'checkbox', required: true, saveToContact: false },
        { name: 'news', label: `Email me news ${XSS}`, type: 'checkbox', consent: 'marketing' },
      ],
      subscriptionListId: ids.list,
      thankYouMessage: `Thanks ${XSS}`,
    });
    expect(form.status, JSON.stringify(form.body)).toBe(201);
    ids.form = form.body.id;
  });

  afterAll(() => server.close());

  it('serves only published forms', async () => {
    const draft = await fetch(`${server.url}/f/${ids.form}`);
    expect(draft.status).toBe(404);
    expect(draft.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await post(ids.form, 'email=a%40example.com')).status).toBe(404);
    expect((await server.api('POST', `/forms/${ids.form}/publish`)).body).toEqual({ status: 'live' });
    expect((await fetch(`${server.url}/f/nope`)).status).toBe(404);
  });

  it('renders an accessible page with every value escaped and a strict policy', async () => {
    const response = await fetch(`${server.url}/f/${ids.form}?campaign=${encodeURIComponent(XSS)}`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('<h1>Sign up &quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;</h1>');
    expect(html).toContain('<input type="hidden" name="campaign" value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;">');
    expect(html).toMatch(/<html lang="en">/);
    // Every visible input has a label; hints are tied to their input; consent sits in a fieldset with a legend.
    for (const name of ['email', 'firstName', 'seats', 'plan', 'terms', 'news']) {
      expect(html).toContain(`<label for="f-${name}">`);
      expect(html).toMatch(new RegExp(`id="f-${name}" name="${name}"`));
    }
    expect(html).toContain('aria-describedby="f-email-help"');
    expect(html).toContain('<p class="wm-help" id="f-email-help">We never share it.</p>');
    expect(html).toMatch(/<fieldset>\s*<legend>Consent<\/legend>[\s\S]*f-news/);
    expect(html).toMatch(/<input type="email" id="f-email" name="email" value="" autocomplete="email" maxlength="320" required/);
    // The honeypot is hidden from people and assistive technology, and never in the tab order.
    expect(html).toMatch(/<div class="wm-hp" aria-hidden="true">.*tabindex="-1"/);
  });

  it('shows the form again with errors tied to their fields, keeping what was typed (escaped)', async () => {
    const response = await post(ids.form, new URLSearchParams({ email: 'not-an-email', firstName: XSS, seats: 'many', plan: 'Gold' }).toString());
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('<title>Error: Sign up');
    expect(html).toMatch(/<div class="wm-summary" role="alert" aria-labelledby="wm-summary-title">/);
    expect(html).toContain('<a href="#f-email">Email address: enter an email address like name@example.com</a>');
    expect(html).toContain('aria-invalid="true" aria-describedby="f-email-error f-email-help"');
    expect(html).toContain('<p class="wm-error" id="f-seats-error">enter a number</p>');
    expect(html).toContain('<p class="wm-error" id="f-plan-error">choose one of the options</p>');
    expect(html).toContain('<p class="wm-error" id="f-terms-error">tick this box to continue</p>');
    expect(html).toContain(`value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"`);
    expect(html).not.toContain('<script');
    expect(await contactByEmail('not-an-email')).toBeUndefined();
  });

  it('answers a JSON client with a problem naming each bad field', async () => {
    const response = await post(ids.form, JSON.stringify({ email: 'x@', seats: '12abc', plan: 'Gold', terms: 'maybe', news: ['on'] }), 'application/json');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await response.json();
    expect(problem.errors).toEqual([
      { path: 'email', message: 'enter an email address like name@example.com' },
      { path: 'seats', message: 'enter a number' },
      { path: 'plan', message: 'choose one of the options' },
      { path: 'terms', message: 'tick the box or leave it empty' },
      { path: 'news', message: 'expected a single value' },
    ]);
    expect((await post(ids.form, '[1,2]', 'application/json')).status).toBe(400);
    expect((await post(ids.form, '{"email":', 'application/json')).status).toBe(400);
    expect((await post(ids.form, 'email=a@example.com', 'text/plain')).status).toBe(415);
  });

  it('creates the contact, with consent and the list only when the consent box is ticked', async () => {
    const plain = await post(ids.form, 'email=plain%40example.com&terms=on&seats=3&plan=Pro&campaign=spring');
    expect(plain.status).toBe(200);
    const thanks = await plain.text();
    expect(thanks).toContain('Thanks &quot;&gt;&lt;img');
    expect(thanks).not.toContain('<img src=x');
    expect(await contactByEmail('plain@example.com')).toMatchObject({ consent: 'none', attributes: { seats: 3, plan: 'Pro', campaign: 'spring' } });

    const consenting = await post(ids.form, 'email=yes%40example.com&terms=on&news=on&firstName=Yves');
    expect(consenting.status).toBe(200);
    const yes = await contactByEmail('yes@example.com');
    expect(yes).toMatchObject({ firstName: 'Yves', consent: 'marketing' });
    // Not attributes: the consent box and a field kept off the contact.
    expect(yes.attributes).toEqual({});
    const members = (await server.api('GET', `/subscription-lists/${ids.list}/members`)).body.items.map((c: { email: string }) => c.email);
    expect(members).toEqual(['yes@example.com']);
    const attributes = (await server.api('GET', '/attributes?entity=contact')).body.items.map((a: { name: string; type: string }) => `${a.name}:${a.type}`);
    expect(attributes).toEqual(expect.arrayContaining(['seats:number', 'plan:string', 'campaign:string']));
  });

  it('tells a bot that filled the honeypot it succeeded, and keeps nothing', async () => {
    const response = await post(ids.form, 'email=bot%40example.com&terms=on&wm_website=http%3A%2F%2Fspam.example');
    expect(response.status).toBe(200);
    expect(await contactByEmail('bot@example.com')).toBeUndefined();
  });

  it('refuses a body over 64 KB', async () => {
    const response = await post(ids.form, `email=big%40example.com&terms=on&firstName=${'x'.repeat(70_000)}`);
    expect(response.status).toBe(413);
    const json = await post(ids.form, JSON.stringify({ email: 'big@example.com', firstName: 'x'.repeat(70_000) }), 'application/json');
    expect(json.status).toBe(413);
    expect(await contactByEmail('big@example.com')).toBeUndefined();
  });

  it('redirects after a submission when the form says so, and lets the policy allow it', async () => {
    const form = await server.api('POST', '/forms', { name: 'Download', fields: [{ name: 'email', type: 'email', required: true }], redirectUrl: 'https://example.com/thanks?from=form' });
    await server.api('POST', `/forms/${form.body.id}/publish`);
    const page = await fetch(`${server.url}/f/${form.body.id}`);
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self' https://example.com;");
    const response = await post(form.body.id, 'email=dl%40example.com');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://example.com/thanks?from=form');
  });

  it('offers an embed snippet, escaped', async () => {
    const embed = await server.api('GET', `/forms/${ids.form}/embed`);
    expect(embed.status).toBe(200);
    expect(embed.body.url).toBe(`${server.url}/f/${ids.form}`);
    expect(embed.body.html).toBe(
      `<iframe src="${server.url}/f/${ids.form}" title="Sign up &quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" width="100%" height="640" style="border:0;max-width:40rem" loading="lazy"></iframe>`,
    );
    expect((await server.api('GET', '/forms/nope/embed')).status).toBe(404);
  });

  it('refuses to publish a form whose field contradicts a declared attribute, naming the field', async () => {
    await server.api('POST', '/attributes', { entity: 'contact', name: 'age', type: 'number' });
    const form = await server.api('POST', '/forms', { name: 'Age', fields: [{ name: 'email', type: 'email' }, { name: 'age', type: 'text' }] });
    const published = await server.api('POST', `/forms/${form.body.id}/publish`);
    expect(published.status).toBe(422);
    expect(published.body.errors).toEqual([{ path: 'fields.1.name', message: 'the contact attribute age is declared as number, but this field gives string values' }]);
  });

  it('refuses field definitions that cannot work, naming them', async () => {
    const paths = async (fields: unknown[]) => (await server.api('POST', '/forms', { name: 'x', fields })).body.errors?.map((e: { path: string }) => e.path);
    expect(await paths([{ name: 'email', type: 'email' }, { name: 'wm_x', type: 'text' }])).toEqual(['fields.1.name']);
    expect(await paths([{ name: 'email', type: 'email' }, { name: 'consent', type: 'text' }])).toEqual(['fields.1.name']);
    expect(await paths([{ name: 'email', type: 'email' }, { name: 'firstName', type: 'number' }])).toEqual(['fields.1.type']);
    expect(await paths([{ name: 'email', type: 'email' }, { name: 'ok', type: 'text', consent: 'marketing' }])).toEqual(['fields.1.consent']);
    expect(await paths([{ name: 'email', type: 'email' }, { name: 'ok', type: 'checkbox', subscriptionListId: 'ghost' }])).toEqual(['fields.1.subscriptionListId']);
    expect((await server.api('POST', '/forms', { name: 'x', fields: [{ name: 'email', type: 'email' }], redirectUrl: 'javascript:alert(1)' })).body.errors[0].path).toBe('redirectUrl');
  });
});

describe('inbound journeys from a form', () => {
  let server: TestServer;
  const ids = { form: '', journey: '' };
  const post = (body: Record<string, string>) =>
    fetch(`${server.url}/f/${ids.form}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startTestServer({ now: '2026-03-02T09:00:00Z' });
    ids.form = (await server.api('POST', '/forms', { name: 'Offers', fields: [{ name: 'email', type: 'email', required: true }, { name: 'ok', label: 'Send me offers', type: 'checkbox', consent: 'marketing' }] })).body.id;
    await server.api('POST', `/forms/${ids.form}/publish`);
    const journey = await server.api('POST', '/journeys', {
      name: 'Offers',
      minimumConsent: 'marketing',
      startAt: '2026-03-03T00:00:00Z',
      endAt: '2026-04-01T00:00:00Z',
      timeZone: 'UTC',
      tiles: [
        { id: 'form', type: 'formSubmitted', formId: ids.form, next: 'wait' },
        { id: 'wait', type: 'scheduler', wait: { for: 'P1D' }, next: null },
      ],
    });
    ids.journey = journey.body.id;
    await server.api('POST', `/journeys/${ids.journey}/go-live`);
  });

  afterAll(() => server.close());

  it('admits nobody before the journey starts', async () => {
    expect((await post({ email: 'early@example.com', ok: 'on' })).status).toBe(200);
    await server.drain();
    expect((await server.api('GET', `/journeys/${ids.journey}/insights`)).body.contacts.entered).toBe(0);
  });

  it('excludes a submitter below the minimum consent, and lets them in once they give it', async () => {
    await server.advance('P1D');
    expect((await post({ email: 'dora@example.com' })).status).toBe(200);
    await server.drain();
    const dora = (await server.api('GET', '/contacts?q=dora')).body.items[0].id;
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${dora}`)).body).toMatchObject({ status: 'excluded', reason: 'consent' });
    expect((await server.api('GET', `/journeys/${ids.journey}/insights`)).body.contacts.excluded.consent).toBe(1);

    expect((await post({ email: 'dora@example.com', ok: 'on' })).status).toBe(200);
    await server.drain();
    expect((await server.api('GET', `/journeys/${ids.journey}/contacts/${dora}`)).body).toMatchObject({ status: 'active', tileId: 'wait' });
    // Once on the journey, submitting again changes nothing.
    await server.advance('PT12H');
    expect((await post({ email: 'dora@example.com', ok: 'on' })).status).toBe(200);
    await server.advance('PT12H');
    const path = (await server.api('GET', `/journeys/${ids.journey}/contacts/${dora}`)).body;
    expect(path).toMatchObject({ status: 'completed' });
    expect(path.history.map((entry: { outcome: string }) => entry.outcome)).toEqual(['entered', 'waited']);
  });
});

describe('form abuse limits', () => {
  let server: TestServer;
  let form: string;
  const post = (ip: string) =>
    fetch(`${server.url}/f/${form}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ email: `${ip.replaceAll('.', '-')}@example.com` }) });

  beforeAll(async () => {
    server = await startTestServer({ formLimits: { perIp: 3, perForm: 5, windowMs: 60_000 } });
    form = (await server.api('POST', '/forms', { name: 'Limited', fields: [{ name: 'email', type: 'email', required: true }] })).body.id;
    await server.api('POST', `/forms/${form}/publish`);
  });

  afterAll(() => server.close());

  it('limits submissions per IP address and per form, with 429 and Retry-After', async () => {
    for (let n = 0; n < 3; n += 1) expect((await post('203.0.113.7')).status).toBe(200);
    const limited = await post('203.0.113.7');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).title).toBe('Too Many Requests');
    // Another address may still submit, until the form's own limit is reached.
    expect((await post('198.51.100.1')).status).toBe(200);
    expect((await post('198.51.100.2')).status).toBe(429);
    const page = await fetch(`${server.url}/f/${form}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '192.0.2.9' }, body: 'email=a%40example.com' });
    expect(page.status).toBe(429);
    expect(await page.text()).toContain('<h1>Too many submissions</h1>');
  });
});
