/**
 * A form's email field is how a submission finds its contact, so it is always required (as in
 * Dynamics 365 and Braze): a submission without an address is refused with a 400 naming the field
 * and creates or changes no contact. Before, every email-less submission merged into one contact
 * whose address was the text "null", each overwriting the last person's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('form submissions without an email address', () => {
  let server: TestServer;
  let formId: string;
  const contacts = async () => (await server.database.db.query<{ email: string; first_name: string | null }>('select email, first_name from contacts order by email'));
  const submitJson = (fields: Record<string, unknown>) =>
    fetch(`${server.url}/f/${formId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
  const submitPage = (fields: Record<string, string>) =>
    fetch(`${server.url}/f/${formId}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

  beforeAll(async () => {
    server = await startTestServer();
    // The email field is not marked required, as many forms were written.
    const form = await server.api('POST', '/forms', { name: 'Newsletter', fields: [{ name: 'email', type: 'email' }, { name: 'firstName', type: 'text' }, { name: 'city', type: 'text' }] });
    expect(form.status).toBe(201);
    formId = form.body.id;
    await server.api('POST', `/forms/${formId}/publish`);
  });
  afterAll(() => server.close());

  it('refuses a form whose email field is explicitly optional, naming the field', async () => {
    const response = await server.api('POST', '/forms', { name: 'Optional', fields: [{ name: 'firstName', type: 'text' }, { name: 'email', type: 'email', required: false }] });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'fields.1.required', message: expect.stringContaining('always required') }]);
  });

  it('shows the email field as required on the public page', async () => {
    const page = await (await fetch(`${server.url}/f/${formId}`)).text();
    expect(page).toMatch(/<input type="email"[^>]* required/);
  });

  it('refuses each email-less submission, JSON or from the page, and creates no contact', async () => {
    for (const fields of [{ firstName: 'Ann', city: 'Oslo' }, { email: null, firstName: 'Bob' }, { email: '', firstName: 'Cid' }, { email: '   ', firstName: 'Dee' }]) {
      const response = await submitJson(fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect((await response.json()).errors).toEqual([{ path: 'email', message: 'this field is required' }]);
    }
    const page = await submitPage({ firstName: 'Eve' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('this field is required');
    expect(await contacts()).toEqual([]);
  });

  it('keeps refusing when a form stored before this rule says the email is optional', async () => {
    await server.database.db.query(`update forms set fields = jsonb_set(fields, '{0,required}', 'false') where id = $1`, [formId]);
    expect((await submitJson({ firstName: 'Fay' })).status).toBe(400);
    expect((await submitJson({ email: 'fay@example.com', firstName: 'Fay' })).status).toBe(200);
    expect(await contacts()).toEqual([{ email: 'fay@example.com', first_name: 'Fay' }]);
  });
});
