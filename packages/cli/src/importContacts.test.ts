import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from '../../../tests/support/testServer.ts';
import { attributeName, columnTargets, importContactsFile, inferType } from './importContacts.ts';

describe('CSV columns', () => {
  it('match contact fields by header, and name the rest as camelCase attributes', () => {
    expect(columnTargets(['E-mail', 'First Name', 'surname', 'Time zone', 'Favourite colour', 'VIP', '2nd choice', '---'])).toEqual([
      { field: 'email' },
      { field: 'firstName' },
      { field: 'lastName' },
      { field: 'timeZone' },
      { attribute: 'favouriteColour' },
      { attribute: 'vip' },
      { attribute: '_2ndChoice' },
      { skip: true },
    ]);
    expect(columnTargets(['Mail address', 'Notes', 'Town'], { 'Mail address': 'email', Notes: '-', Town: 'attributes.city' })).toEqual([
      { field: 'email' },
      { skip: true },
      { attribute: 'city' },
    ]);
    expect(() => columnTargets(['x'], { x: 'shoeSize' })).toThrow(/--map x=shoeSize/);
    expect(attributeName('Customer ID')).toBe('customerId');
    expect(attributeName('Straße Nr.')).toBe('strasseNr');
  });

  it('infer an attribute type from its values, keeping zip codes as text', () => {
    expect(inferType(['1', '2.5', '-3', '1e3'])).toBe('number');
    expect(inferType(['02134', '1'])).toBe('string');
    expect(inferType(['yes', 'No', 'TRUE'])).toBe('boolean');
    expect(inferType(['2024-01-01', '2024-02-03T10:00:00Z'])).toBe('date');
    expect(inferType(['x', '1'])).toBe('string');
  });
});

describe('waymark import contacts', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(path.join(tmpdir(), 'waymark-import-test-'));
  });
  afterAll(() => server.close());

  it('imports in batches, reports refused rows with line and field, and is safe to re-run', async () => {
    const list = (await server.api('POST', '/subscription-lists', { name: 'Imported' })).body.id;
    const file = path.join(dir, 'people.csv');
    writeFileSync(
      file,
      '\uFEFFEmail;First name;Score;Member since;Zip;Note\n' +
        'ann@example.com;Ann;10;2024-01-01;01234;"likes ; semicolons"\n' +
        'not-an-email;Bob;11;2024-01-02;01235;\n' +
        ';Nobody;12;2024-01-03;01236;\n' +
        'carl@example.com;Carl;twelve;2024-01-04;01237;\n' +
        'dana@example.com;"Dana\nMultiline";13;2024-01-05;01238;\n' +
        'eve@example.com;Eve;;2024-01-06;;\n' +
        'ANN@example.com;Ann B;14;2024-01-01;01234;\n',
    );
    const errors = path.join(dir, 'refused.csv');
    const progress: number[] = [];
    const summary = await importContactsFile({
      file,
      url: server.url,
      apiKey: ADMIN_KEY,
      delimiter: ';',
      batchSize: 2,
      errorsFile: errors,
      types: { score: 'number' },
      map: { Note: '-' },
      lists: [list],
      onProgress: (p) => progress.push(p.imported),
    });
    expect(summary).toMatchObject({ rows: 7, imported: 4, refused: 3, errorsFile: errors });
    expect(progress.length).toBeGreaterThan(1);
    const report = readFileSync(errors, 'utf8').trim().split('\n');
    expect(report[0]).toBe('line,email,field,message');
    expect(report.slice(1).sort()).toEqual([
      '3,not-an-email,email,Invalid email address',
      '4,,email,no email address',
      '5,carl@example.com,attributes.score,contact attribute score is declared as number',
    ]);

    const ann = (await server.api('GET', '/contacts?q=ann@')).body.items[0];
    // The last row for an address wins; the address keeps its first spelling.
    expect(ann).toMatchObject({ email: 'ann@example.com', firstName: 'Ann B', attributes: { score: 14, memberSince: '2024-01-01', zip: '01234' } });
    expect(ann.attributes).not.toHaveProperty('note');
    const dana = (await server.api('GET', '/contacts?q=dana@')).body.items[0];
    expect(dana.firstName).toBe('Dana\nMultiline');
    const eve = (await server.api('GET', '/contacts?q=eve@')).body.items[0];
    expect(eve.attributes).toEqual({ memberSince: '2024-01-06' });
    const attributes = (await server.api('GET', '/attributes?entity=contact')).body.items;
    expect(attributes).toEqual(
      expect.arrayContaining([
        { entity: 'contact', name: 'score', type: 'number' },
        { entity: 'contact', name: 'memberSince', type: 'date' },
        { entity: 'contact', name: 'zip', type: 'string' },
      ]),
    );
    // Ann, Dana, Eve: Ann's two rows are one contact.
    expect((await server.api('GET', `/subscription-lists/${list}/members`)).body.items).toHaveLength(3);

    // Fixed and run again: the same contacts, updated, and nothing refused.
    writeFileSync(file, readFileSync(file, 'utf8').replace('not-an-email', 'bob@example.com').replace(';Nobody', 'nobody@example.com;Nobody').replace('twelve', '12'));
    const again = await importContactsFile({ file, url: server.url, apiKey: ADMIN_KEY, delimiter: ';', errorsFile: path.join(dir, 'again.csv') });
    expect(again).toMatchObject({ rows: 7, imported: 7, refused: 0, errorsFile: null });
    expect((await server.api('GET', '/contacts?q=ann@')).body.items).toHaveLength(1);
    expect((await server.api('GET', '/contacts?q=carl@')).body.items[0].attributes.score).toBe(12);
  });

  it('refuses a file without an email column, and a wrong key, before importing anything', async () => {
    const file = path.join(dir, 'noemail.csv');
    writeFileSync(file, 'Name,City\nAnn,Paris\n');
    await expect(importContactsFile({ file, url: server.url, apiKey: ADMIN_KEY })).rejects.toThrow(/exactly one email column/);
    await expect(importContactsFile({ file, url: server.url, apiKey: 'wm_wrong' })).rejects.toThrow(/401/);
  });
});
