/**
 * The inbound story, end to end over HTTP: a visitor fills in the public webinar form; the inbound
 * journey that starts with the form sends a thank-you email (real SMTP) and launches the CRM
 * workflow (a real local HTTP endpoint). The CRM is down for the first call: the retry carries the
 * same idempotency key and a valid signature, and once it succeeded it is never called again. The
 * failure shows in the journey's insights and in the contact's path. Submitting again does not
 * start the journey again.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const WORKFLOW_SECRET = 'crm-shared-secret-42';

interface WorkflowCall {
  body: string;
  signature: string | undefined;
  idempotencyKey: string | undefined;
}

describe('an inbound journey from a public form', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let crm: Server;
  const calls: WorkflowCall[] = [];
  let crmFailuresLeft = 1;
  const ids: Record<string, string> = {};

  const create = async (path: string, body: unknown) => {
    const response = await server.api('POST', path, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const submit = (fields: Record<string, string>) =>
    fetch(`${server.url}/f/${ids.form}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields), redirect: 'manual' });
  const path = async (contactId: string | undefined) => (await server.api('GET', `/journeys/${ids.journey}/contacts/${contactId}`)).body;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    // The CRM runs on this machine: a private address, allowed as WAYMARK_WEBHOOK_ALLOW_PRIVATE=1 would.
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-04-06T10:00:00Z', webhooks: { addressPolicy: { allowPrivate: true } } });
    crm = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        calls.push({ body, signature: request.headers['waymark-signature'] as string | undefined, idempotencyKey: request.headers['idempotency-key'] as string | undefined });
        // Down for the first call, as a CRM being redeployed would be.
        response.statusCode = crmFailuresLeft-- > 0 ? 503 : 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));

    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street, Springfield', isDefault: true });
    ids.list = (await create('/subscription-lists', { name: 'Webinar news' })).id;
    ids.form = (
      await create('/forms', {
        name: 'Webinar registration',
        fields: [
          { name: 'email', label: 'Work email', type: 'email', required: true },
          { name: 'firstName', label: 'First name', type: 'text', required: true },
          { name: 'company', label: 'Company', type: 'text' },
          { name: 'seats', label: 'Seats', type: 'number' },
          { name: 'news', label: 'Send me news about webinars', type: 'checkbox', consent: 'marketing', subscriptionListId: ids.list },
        ],
        thankYouMessage: 'See you at the webinar!',
      })
    ).id;
    expect((await server.api('POST', `/forms/${ids.form}/publish`)).body).toEqual({ status: 'live' });
    const footer = '<p><a href="{{ content.subscriptionCenterUrl }}">Manage subscriptions</a> · {{ content.postalAddress }}</p>';
    ids.thanks = (await create('/emails', { name: 'Thanks', subject: 'Thanks for registering, {{ contact.firstName }}', html: `<p>Hi {{ contact.firstName }} from {{ contact.attributes.company }}, see you soon.</p>${footer}` })).id;
    await server.api('POST', `/emails/${ids.thanks}/publish`);
    const { port } = crm.address() as AddressInfo;
    ids.workflow = (await create('/workflows', { name: 'CRM registration', url: `http://127.0.0.1:${port}/hooks/registration`, secret: WORKFLOW_SECRET })).id;
    const journey = await create('/journeys', {
      name: 'Webinar registrations',
      startAt: '2026-04-06T00:00:00Z',
      endAt: '2026-06-01T00:00:00Z',
      timeZone: 'Europe/Berlin',
      tiles: [
        { id: 'form', type: 'formSubmitted', name: 'Registered', formId: ids.form, next: 'thanks' },
        { id: 'thanks', type: 'email', name: 'Thank you', emailId: ids.thanks, next: 'crm' },
        { id: 'crm', type: 'launchWorkflow', name: 'Tell the CRM', workflowId: ids.workflow, next: null },
      ],
    });
    ids.journey = journey.id;
    expect((await server.api('POST', `/journeys/${ids.journey}/check`)).body).toEqual({ errors: [] });
    expect((await server.api('POST', `/journeys/${ids.journey}/go-live`)).body).toEqual({ status: 'live' });
    await server.drain();
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
    crm?.close();
  });

  it('takes a browser submission: the contact is created and enters the journey', async () => {
    const response = await submit({ email: 'Ann@Example.com', firstName: '<b>Ann</b>', company: 'Acme & Sons', seats: '12', news: 'on' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('See you at the webinar!');

    const found = (await server.api('GET', '/contacts?q=ann@example.com')).body.items;
    expect(found).toHaveLength(1);
    ids.ann = found[0].id;
    expect(found[0]).toMatchObject({ email: 'Ann@Example.com', firstName: '<b>Ann</b>', consent: 'marketing', attributes: { company: 'Acme & Sons', seats: 12 } });
    const members = (await server.api('GET', `/subscription-lists/${ids.list}/members`)).body.items.map((c: { id: string }) => c.id);
    expect(members).toEqual([ids.ann]);
    expect((await path(ids.ann)).status).toBe('active');
  });

  it('sends the thank-you email, with every submitted value escaped', async () => {
    await server.drain();
    const mail = smtp.messages.filter((message) => message.to.toLowerCase() === 'ann@example.com');
    expect(mail.map((message) => message.subject)).toEqual(['Thanks for registering, <b>Ann</b>']);
    expect(mail[0]!.html).toContain('Hi &lt;b&gt;Ann&lt;/b&gt; from Acme &amp; Sons');
    expect(mail[0]!.html).not.toContain('<b>Ann</b>');
  });

  it('calls the workflow, which fails once: the failure shows in insights and the path', async () => {
    expect(calls).toHaveLength(1);
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.tiles.crm).toMatchObject({ completed: 1, called: 0, retrying: 1, failed: 0 });
    expect(insights.tiles.thanks).toMatchObject({ sent: 1, delivered: 1 });
    const history = (await path(ids.ann)).history;
    expect(history.map((entry: { tileId: string; outcome: string }) => `${entry.tileId}:${entry.outcome}`)).toEqual(['form:entered', 'thanks:sent', 'crm:launched', 'crm:workflowFailed']);
    expect(history[3]).toMatchObject({ reason: 'workflow answered 503', retryAt: '2026-04-06T10:00:30.000Z' });
  });

  it('retries with the same idempotency key and a valid signature, and never calls a third time', async () => {
    await server.advance('PT20S');
    expect(calls).toHaveLength(1); // backoff: not yet
    await server.advance('PT10S');
    expect(calls).toHaveLength(2);
    await server.advance('P2D');
    expect(calls).toHaveLength(2);

    const [first, second] = calls.map((call) => ({ ...call, parsed: JSON.parse(call.body) }));
    expect(first!.parsed).toEqual({ workflowId: ids.workflow, journeyId: ids.journey, contactId: ids.ann, idempotencyKey: `${ids.journey}:1:crm:c:${ids.ann}` });
    expect(second!.body).toBe(first!.body);
    for (const call of calls) {
      expect(call.signature).toBe(`sha256=${createHmac('sha256', WORKFLOW_SECRET).update(call.body).digest('hex')}`);
      expect(call.idempotencyKey).toBe(first!.parsed.idempotencyKey);
    }
    const insights = (await server.api('GET', `/journeys/${ids.journey}/insights`)).body;
    expect(insights.tiles.crm).toMatchObject({ called: 1, retrying: 0, failed: 0 });
    expect(insights.contacts).toMatchObject({ entered: 1, completed: 1 });
    // The path keeps the failed attempt, after which the call went through.
    expect((await path(ids.ann)).history.map((entry: { outcome: string }) => entry.outcome)).toEqual(['entered', 'sent', 'launched', 'workflowFailed']);
  });

  it('a repeat submission is recorded but does not start the journey again', async () => {
    const again = await submit({ email: 'ann@example.com', firstName: 'Ann', company: 'Acme' });
    expect(again.status).toBe(200);
    await server.advance('P1D');
    expect(smtp.messages.filter((message) => message.to.toLowerCase() === 'ann@example.com')).toHaveLength(1);
    expect(calls).toHaveLength(2);
    const submissions = await server.database.db.query<{ properties: { formId: string; fields: Record<string, unknown> } }>(
      `select properties from events where contact_id = $1 and type = 'form_submitted' order by id`,
      [ids.ann],
    );
    expect(submissions.map((row) => row.properties.fields.firstName)).toEqual(['<b>Ann</b>', 'Ann']);
    // Names given replace the old ones; consent never drops because a box was left unticked.
    expect((await server.api('GET', `/contacts/${ids.ann}`)).body).toMatchObject({ firstName: 'Ann', consent: 'marketing', attributes: { company: 'Acme', seats: 12 } });
    expect(smtp.duplicates).toBe(0);
  });

  it('a second visitor enters too, through the JSON API of the form', async () => {
    const response = await fetch(`${server.url}/f/${ids.form}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bob@example.com', firstName: 'Bob' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'submitted', message: 'See you at the webinar!' });
    await server.drain();
    expect(smtp.messages.map((message) => message.subject)).toContain('Thanks for registering, Bob');
    // Bob did not tick the news box: no list, no marketing consent.
    const bob = (await server.api('GET', '/contacts?q=bob@example.com')).body.items[0];
    expect(bob.consent).toBe('none');
    expect((await server.api('GET', `/subscription-lists/${ids.list}/members`)).body.items).toHaveLength(1);
  });
});
