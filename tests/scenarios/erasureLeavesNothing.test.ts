/**
 * GDPR, proven on a dump of the whole database. Zephyrine has a bit of everything: a record with
 * attributes, a list and segments, a journey that mailed her (opened, clicked), made her a lead
 * (scored under a live model), gave sales a call about her and failed to reach the CRM for her, a
 * form she filled in, a custom event, and a hard bounce whose report names her address and full
 * name. Her export covers every table that holds anything of hers. After her erasure, every
 * column of every row of every table, read as text, is searched for her address, her first and
 * last names and her id (and her leads' ids): nothing is found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const EMAIL = 'Zephyrine.Quillfeather@example.org';
const FIRST = 'Zephyrine';
const LAST = 'Quillfeather';

describe('erasure leaves nothing of the person in any table', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const ids: Record<string, string> = {};

  const create = async (route: string, body: unknown) => {
    const response = await server.api('POST', route, body);
    expect(response.status, `${route}: ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };

  /** Every row of every table, all columns as text: the rows that mention any needle, by table. */
  const dump = async (needles: readonly string[]): Promise<Record<string, string[]>> => {
    const db = server.database.db;
    const tables = await db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
    );
    const found: Record<string, string[]> = {};
    for (const { table_name: table } of tables) {
      // Each column cast to text one by one (a row's own text form could abbreviate or escape a value).
      const columns = await db.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
        [table],
      );
      const text = columns.map((c) => `coalesce("${c.column_name}"::text, '')`).join(` || ' | ' || `);
      const rows = await db.query<{ row: string }>(`select ${text} as row from "${table}"`);
      const hits = rows.map((r) => r.row).filter((row) => needles.some((needle) => row.toLowerCase().includes(needle.toLowerCase())));
      if (hits.length > 0) found[table] = hits;
    }
    return found;
  };
  const needles = () => [EMAIL, FIRST, LAST, ids.person!, ...(ids.leads ?? '').split(',').filter(Boolean)];

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, now: '2026-03-02T09:00:00Z' });
    await create('/content-settings', { name: 'Default', postalAddress: '1 Main Street', isDefault: true });
    const account = (await create('/accounts', { name: 'Acme' })).id;
    ids.list = (await create('/subscription-lists', { name: 'News' })).id;
    ids.person = (await create('/contacts', { email: EMAIL, firstName: FIRST, lastName: LAST, accountId: account, consent: 'marketing', attributes: { nickname: `${FIRST} the brave` } })).id;
    const other = (await create('/contacts', { email: 'otto@example.org', firstName: 'Otto', consent: 'marketing' })).id;
    await server.api('POST', `/subscription-lists/${ids.list}/members`, { add: [ids.person, other] });
    const vips = (await create('/segments', { name: 'VIPs', kind: 'static' })).id;
    await server.api('POST', `/segments/${vips}/members`, { add: [ids.person] });
    await create('/segments', { name: 'Nicknamed', kind: 'dynamic', query: { attribute: 'nickname', op: 'exists' } });
    const model = (await create('/scoring-models', { name: 'Engagement', rules: [{ event: 'email_opened', points: 5 }, { event: 'email_clicked', points: 10 }], salesReadyThreshold: 100 })).id;
    await server.api('POST', `/scoring-models/${model}/publish`);
    const email = (
      await create('/emails', { name: 'Hello', subject: 'Hello {{ contact.firstName }} {{ contact.lastName }}', html: '<p>Hi {{ contact.firstName }}, <a href="https://example.com/offer">offer</a></p> {{ content.subscriptionCenterUrl }} {{ content.postalAddress }}' })
    ).id;
    await server.api('POST', `/emails/${email}/publish`);
    // Registered before the address policy, like an old row: the call fails, leaving a failure in her path.
    const [workflow] = await server.database.db.query<{ id: string }>(`insert into workflows (name, url, secret) values ('CRM', 'http://127.0.0.1:9/hook', 'secret-123') returning id`);
    ids.journey = (
      await create('/journeys', {
        name: 'Nurture',
        startAt: '2026-03-01T00:00:00Z',
        endAt: '2026-06-01T00:00:00Z',
        timeZone: 'UTC',
        tiles: [
          { id: 'who', type: 'segmentGroup', segments: [{ source: 'segment', segmentId: vips, mode: 'include' }], next: 'mail' },
          { id: 'mail', type: 'email', emailId: email, next: 'lead' },
          { id: 'lead', type: 'createLead', topic: 'Interested', next: 'call' },
          { id: 'call', type: 'activity', activityType: 'phoneCall', subject: 'Call about the offer', next: 'crm' },
          { id: 'crm', type: 'launchWorkflow', workflowId: workflow!.id, next: null },
        ],
      })
    ).id;
    await server.api('POST', `/journeys/${ids.journey}/go-live`);
    await server.drain();
    const mail = smtp.messages.find((message) => message.to.toLowerCase() === EMAIL.toLowerCase())!;
    const html = mail.html.replaceAll('&amp;', '&');
    await fetch(/src="([^"]+\/t\/o\/[^"]+)"/.exec(html)![1]!);
    await fetch(/href="([^"]+\/t\/c\/[^"]+)"/.exec(html)![1]!, { redirect: 'manual' });
    const form = (await create('/forms', { name: 'Contact us', fields: [{ name: 'email', type: 'email' }, { name: 'firstName', type: 'text' }, { name: 'message', type: 'text', saveToContact: false }] })).id;
    await server.api('POST', `/forms/${form}/publish`);
    const submitted = await fetch(`${server.url}/f/${form}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, firstName: FIRST, message: `This is ${FIRST} ${LAST}` }) });
    expect(submitted.status).toBe(200);
    await server.api('POST', '/events', { email: EMAIL, type: 'webinar_attended', properties: { badge: `${FIRST} ${LAST}` } });
    const bounce = await server.api('POST', '/webhooks/bounces', { email: EMAIL, type: 'hard', reason: `550 5.1.1 <${EMAIL}> ${FIRST} ${LAST}: mailbox unavailable` });
    expect(bounce.status).toBe(202);
    await server.drain();
    ids.leads = (await server.api('GET', `/leads?contactId=${ids.person}`)).body.items.map((lead: { id: string }) => lead.id).join(',');
    expect(ids.leads).not.toBe('');
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('exports every table that holds anything of hers', async () => {
    const held = await dump(needles());
    // Her data is spread wide: the test would prove little otherwise.
    expect(Object.keys(held)).toEqual(
      expect.arrayContaining(['contacts', 'events', 'outbox', 'journey_contacts', 'journey_history', 'leads', 'lead_scores', 'activities', 'effect_failures', 'bounced_emails', 'list_members', 'segment_members', 'segment_membership']),
    );
    const data = (await server.api('GET', `/contacts/${ids.person}/export`)).body;
    const sections: Record<string, unknown> = { contacts: data.contact, bounced_emails: data.bounce, lead_scores: data.leadScores?.length ? data.leadScores : undefined };
    // Bookkeeping: the queue of contacts awaiting segment evaluation says nothing about her.
    const uncovered = Object.keys(held).filter((table) => table !== 'segment_dirty_contacts' && !(data.records?.[table]?.length > 0) && sections[table] === undefined);
    expect(uncovered).toEqual([]);
    expect(data.bounce).toEqual({ reason: `550 5.1.1 <${EMAIL}> ${FIRST} ${LAST}: mailbox unavailable`, bouncedAt: '2026-03-02T09:00:00.000Z' });
    expect(data.leadScores).toEqual([expect.objectContaining({ modelName: 'Engagement', score: 15 })]);
  });

  it('after erasure, no column of any row of any table holds her address, names or ids', async () => {
    expect((await server.api('DELETE', `/contacts/${ids.person}`)).status).toBe(204);
    expect(await dump(needles())).toEqual({});
    // Otto, on the same list, keeps everything.
    expect(Object.keys(await dump(['otto@example.org']))).toEqual(expect.arrayContaining(['contacts']));
  });
});
