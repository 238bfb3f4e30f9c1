import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('content settings in emails', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('renders every placeholder: subscription center, forward to a friend, social links and postal address', async () => {
    await server.api('POST', '/content-settings', {
      name: 'Brand',
      postalAddress: '12 Harbour Lane, Portsmouth',
      forwardToFriendUrl: 'https://example.com/forward',
      socialLinks: { twitter: 'https://twitter.example/brand', linkedin: 'https://linkedin.example/brand' },
      isDefault: true,
    });
    const email = await server.api('POST', '/emails', {
      name: 'All placeholders',
      subject: 'Hi',
      html: [
        '<p>Address: {{ content.postalAddress }}</p>',
        '<p>Forward: {{ content.forwardToFriendUrl }}</p>',
        '<p>Twitter: {{ content.socialLinks.twitter }} LinkedIn: {{ content.socialLinks.linkedin }}</p>',
        '<p>Preferences: {{ content.subscriptionCenterUrl }}</p>',
      ].join(''),
    });
    expect(email.status).toBe(201);
    const preview = await server.api('GET', `/emails/${email.body.id}/preview`);
    expect(preview.status).toBe(200);
    const html: string = preview.body.html;
    expect(html).toContain('Address: 12 Harbour Lane, Portsmouth');
    expect(html).toContain('Forward: https://example.com/forward');
    expect(html).toContain('Twitter: https://twitter.example/brand LinkedIn: https://linkedin.example/brand');
    // Without a configured center, each contact gets its own signed link to Waymark's center.
    expect(html).toMatch(/Preferences: http:\/\/127\.0\.0\.1:\d+\/u\/[\w.-]+/);
  });

  it('keeps exactly one default', async () => {
    const second = await server.api('POST', '/content-settings', { name: 'Second', postalAddress: '1 Way', isDefault: true });
    const all = (await server.api('GET', '/content-settings')).body.items as { id: string; isDefault: boolean }[];
    expect(all.filter((settings) => settings.isDefault).map((settings) => settings.id)).toEqual([second.body.id]);
  });
});
