/**
 * Resource limits (docs/limits.md): whatever a user puts into a template, a segment or a request,
 * the process stays up, other users keep being served, and the answer is a clear 4xx naming the
 * problem. Each case reproduces a finding of the security review.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const FOOTER = '{{ content.postalAddress }} <a href="{{ content.subscriptionCenterUrl }}">prefs</a>';
const HUGE_RANGE = '{% for i in (1..200000000) %}{% endfor %}';

describe('resource limits', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const post = async (path: string, body?: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body;
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-06-01T10:00:00Z' });
    await post('/content-settings', { name: 'Default', postalAddress: '3 Mill', isDefault: true });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  describe('Liquid', () => {
    it('refuses to publish an email whose template runs past a limit, naming the part', async () => {
      const email = await post('/emails', { name: 'Range', subject: 'Hi', html: `<p>${HUGE_RANGE}</p>${FOOTER}` });
      const preview = await server.api('GET', `/emails/${email.id}/preview`);
      expect(preview.status).toBe(422);
      expect(preview.body.errors).toEqual([{ path: 'html', message: expect.stringMatching(/memory alloc limit exceeded/) }]);
      const publish = await server.api('POST', `/emails/${email.id}/publish`);
      expect(publish.status).toBe(422);
      expect(publish.body.errors).toEqual([{ path: 'html', message: expect.stringMatching(/memory alloc limit exceeded/) }]);
      const subject = await post('/emails', { name: 'Range subject', subject: HUGE_RANGE, html: `<p>x</p>${FOOTER}` });
      expect((await server.api('POST', `/emails/${subject.id}/publish`)).body.errors).toEqual([{ path: 'subject', message: expect.any(String) }]);
    });

    it('answers a 64 MiB output with a small 422 rather than a 134 MB page', async () => {
      const line = 'x'.repeat(1024);
      const email = await post('/emails', { name: 'Huge', subject: 'Hi', html: `{% for i in (1..65536) %}${line}{% endfor %}${FOOTER}` });
      const before = process.memoryUsage().rss;
      const preview = await server.api('GET', `/emails/${email.id}/preview`);
      expect(preview.status).toBe(422);
      expect(preview.body.errors).toEqual([{ path: 'html', message: 'cannot be rendered: output exceeds 1048576 characters' }]);
      expect(JSON.stringify(preview.body).length).toBeLessThan(2000);
      expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
    });

    it('fails only the message whose render runs past a limit, with the reason, and sends the others', async () => {
      await post('/attributes', { entity: 'contact', name: 'loops', type: 'number' });
      const small = await post('/contacts', { email: 'small@example.com', consent: 'marketing', attributes: { loops: 3 } });
      const huge = await post('/contacts', { email: 'huge@example.com', consent: 'marketing', attributes: { loops: 200_000_000 } });
      const segment = await post('/segments', { name: 'Loopers', kind: 'static' });
      await post(`/segments/${segment.id}/members`, { add: [small.id, huge.id] });
      // Within every limit for the preview contact (no attributes): it publishes.
      const email = await post('/emails', { name: 'Loops', subject: 'Loops', html: `<p>{% for i in (1..contact.attributes.loops) %}*{% endfor %}</p>${FOOTER}` });
      await post(`/emails/${email.id}/publish`);
      const journey = await post('/journeys', {
        name: 'Loops',
        startAt: '2026-06-01T00:00:00Z',
        endAt: '2026-07-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'in', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: segment.id, mode: 'include' }], next: 'mail' },
          { id: 'mail', type: 'email', emailId: email.id, next: null },
        ],
      });
      await post(`/journeys/${journey.id}/go-live`);
      await server.drain();
      await server.drain();

      expect(smtp.messages.filter((m) => m.subject === 'Loops').map((m) => m.to)).toEqual(['small@example.com']);
      const messages = (await server.api('GET', `/messages?journeyId=${journey.id}`)).body.items;
      const byAddress = Object.fromEntries(messages.map((m: { to: string }) => [m.to, m]));
      expect(byAddress['small@example.com']).toMatchObject({ status: 'sent' });
      expect(byAddress['huge@example.com']).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/^renderFailed: .*memory alloc limit exceeded/) });
      // The message itself still opens, saying why it cannot be rendered.
      const failed = await server.api('GET', `/messages/${byAddress['huge@example.com'].id}`);
      expect(failed.status).toBe(200);
      expect(failed.body).toMatchObject({ rendered: null, renderError: expect.stringMatching(/memory alloc limit exceeded/) });
    });
  });
});
