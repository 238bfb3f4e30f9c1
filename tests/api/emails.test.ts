import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const FOOTER = '<p>{{ content.postalAddress }} · <a href="{{ content.subscriptionCenterUrl }}">Manage subscriptions</a></p>';

describe('emails and content settings API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  describe('content settings', () => {
    it('makes the first one the default and keeps exactly one default', async () => {
      const first = await server.api('POST', '/content-settings', { name: 'Main', postalAddress: '1 Main St, Springfield', socialLinks: { mastodon: 'https://example.social/@us' } });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        id: expect.any(String),
        name: 'Main',
        postalAddress: '1 Main St, Springfield',
        subscriptionCenterUrl: null,
        forwardToFriendUrl: null,
        socialLinks: { mastodon: 'https://example.social/@us' },
        isDefault: true,
        createdAt: expect.any(String),
      });
      const second = await server.api('POST', '/content-settings', { name: 'Second', postalAddress: '2 Side St' });
      expect(second.body.isDefault).toBe(false);
      const third = await server.api('POST', '/content-settings', { name: 'Third', postalAddress: '3 Third Ave', isDefault: true, subscriptionCenterUrl: 'https://example.com/prefs' });
      expect(third.body.isDefault).toBe(true);
      const defaults = () => server.api('GET', '/content-settings').then((r) => r.body.items.filter((c: { isDefault: boolean }) => c.isDefault).map((c: { id: string }) => c.id));
      expect(await defaults()).toEqual([third.body.id]);

      const promoted = await server.api('PATCH', `/content-settings/${second.body.id}`, { isDefault: true, name: 'Second (default)' });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ name: 'Second (default)', isDefault: true });
      expect(await defaults()).toEqual([second.body.id]);
      const unset = await server.api('PATCH', `/content-settings/${second.body.id}`, { isDefault: false });
      expect(unset.status).toBe(409);
      expect(await defaults()).toEqual([second.body.id]);
      // Back to the first for the email tests below.
      await server.api('PATCH', `/content-settings/${first.body.id}`, { isDefault: true });
      expect(await defaults()).toEqual([first.body.id]);
    });

    it('validates urls and required fields', async () => {
      const bad = await server.api('POST', '/content-settings', { name: 'Bad', subscriptionCenterUrl: 'javascript:alert(1)', socialLinks: { x: 'not a url' } });
      expect(bad.status).toBe(400);
      expect(paths(bad.body).sort()).toEqual(['postalAddress', 'socialLinks.x', 'subscriptionCenterUrl']);
      expect((await server.api('GET', '/content-settings/nope')).status).toBe(404);
    });
  });

  it('creates a draft, validates Liquid per field, and bumps the version on each edit', async () => {
    const created = await server.api('POST', '/emails', { name: 'Welcome', subject: 'Hi {{ contact.firstName }}', html: `<p>Hello</p>${FOOTER}`, fromAddress: 'news@example.com' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'Welcome', status: 'draft', version: 1, text: null, fromName: null, fromAddress: 'news@example.com' });

    const broken = await server.api('POST', '/emails', { name: 'Broken', subject: 'Hi {{ contact.firstName ', html: '{% if x %}no end', text: '{{ x | nosuchfilter }}' });
    expect(broken.status).toBe(400);
    expect(paths(broken.body).sort()).toEqual(['html', 'subject', 'text']);
    expect(broken.body.errors[0].message).toMatch(/Liquid/);

    const edited = await server.api('PATCH', `/emails/${created.body.id}`, { subject: 'Welcome, {{ contact.firstName }}' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ subject: 'Welcome, {{ contact.firstName }}', version: 2, status: 'draft' });
    const badEdit = await server.api('PATCH', `/emails/${created.body.id}`, { html: '{{ unclosed' });
    expect(badEdit.status).toBe(400);
    expect(paths(badEdit.body)).toEqual(['html']);
    expect((await server.api('PATCH', `/emails/${created.body.id}`, { status: 'live' })).status).toBe(400);
  });

  it('publishes only with the required placeholders (422 naming html otherwise); a live email is not edited', async () => {
    const bare = await server.api('POST', '/emails', { name: 'Bare', subject: 'Hello', html: '<p>No footer here</p>' });
    const refused = await server.api('POST', `/emails/${bare.body.id}/publish`);
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.errors).toEqual([
      { path: 'html', message: expect.stringContaining('content.subscriptionCenterUrl') },
      { path: 'html', message: expect.stringContaining('content.postalAddress') },
    ]);
    expect((await server.api('GET', `/emails/${bare.body.id}`)).body.status).toBe('draft');

    const good = await server.api('POST', '/emails', { name: 'Good', subject: 'Hello', html: `<p>Fine</p>${FOOTER}` });
    const published = await server.api('POST', `/emails/${good.body.id}/publish`);
    expect(published.status).toBe(200);
    expect(published.body).toEqual({ status: 'live' });
    expect((await server.api('GET', `/emails/${good.body.id}`)).body.status).toBe('live');
    expect((await server.api('PATCH', `/emails/${good.body.id}`, { subject: 'Changed' })).status).toBe(409);
    expect((await server.api('GET', '/emails?status=live')).body.items.map((e: { id: string }) => e.id)).toEqual([good.body.id]);
    expect((await server.api('POST', '/emails/nope/publish')).status).toBe(404);
  });

  it('previews for a contact with the default content settings, escaping what the contact typed', async () => {
    const account = await server.api('POST', '/accounts', { name: 'Acme & Sons' });
    const hostile = await server.api('POST', '/contacts', {
      email: 'mallory@example.com',
      firstName: '<script>alert("x")</script>',
      accountId: account.body.id,
      attributes: { city: '<b>Utrecht</b>' },
    });
    const email = await server.api('POST', '/emails', {
      name: 'Personal',
      subject: 'For {{ contact.firstName }}',
      html: `<html><body><h1>Hi {{ contact.firstName }} from {{ contact.attributes.city }} at {{ account.name }}</h1><a href="https://example.com/offer">Offer</a>${FOOTER}</body></html>`,
    });
    const preview = await server.api('GET', `/emails/${email.body.id}/preview?contactId=${hostile.body.id}`);
    expect(preview.status).toBe(200);
    expect(Object.keys(preview.body).sort()).toEqual(['html', 'subject', 'text']);
    expect(preview.body.html).not.toContain('<script>');
    expect(preview.body.html).toContain('&lt;script&gt;');
    expect(preview.body.html).not.toContain('<b>Utrecht</b>');
    expect(preview.body.html).toContain('Acme &amp; Sons');
    expect(preview.body.html).toContain('1 Main St, Springfield');
    // Links carry no token (a viewer reads previews too): they go straight to their destination.
    expect(preview.body.html).toContain('href="https://example.com/offer"');
    expect(preview.body.html).not.toMatch(/\/t\/[co]\/(?!preview)|\/u\/(?!preview)/);
    expect(preview.body.subject).toBe('For <script>alert("x")</script>');
    expect(preview.body.text).toContain('Offer');

    const anonymous = await server.api('GET', `/emails/${email.body.id}/preview`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.html).toContain('Hi  from');
    expect((await server.api('GET', `/emails/${email.body.id}/preview?contactId=ghost`)).status).toBe(404);
    expect((await server.api('GET', '/emails/ghost/preview')).status).toBe(404);
  });
});
