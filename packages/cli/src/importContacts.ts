// `waymark import contacts FILE.csv`: a CSV file into contacts, through the HTTP API, in batches.
// The API stays the one place that validates and writes contacts (types, references, business
// units); this command streams the file, maps its columns, and turns the API's per-row answers
// into an error report. Re-running it is safe: contacts are upserted by email.
import { createReadStream, createWriteStream, statSync, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { parsePositiveInt, UsageError } from './args.ts';
import { pick } from './settings.ts';

export const importHelp = `Usage: waymark import contacts FILE.csv [options]

Creates or updates contacts (by email, ignoring case) from a CSV file with a header row, through
the HTTP API, in batches. Safe to re-run: a row imported before updates the same contact, and an
empty cell leaves the stored value as it is. Rows the API refuses are written, with the reason,
to an error report; every other row is imported.

Columns are matched to contact fields by their header (email, first name, last name, consent,
time zone, account id, business unit id, owner user id; case, spaces and punctuation ignored).
Every other column is a custom attribute, named in camelCase from its header; an attribute not
declared yet is declared from the column's values (number, boolean, date or string).

Options (each also an environment variable):
      --url URL              the Waymark server                            WAYMARK_URL (http://localhost:8080)
      --api-key KEY          an API key allowed to write contacts          WAYMARK_API_KEY
      --map COLUMN=FIELD     read COLUMN into FIELD: a contact field or attributes.NAME;
                             FIELD "-" skips the column (repeatable)
      --type NAME=TYPE       declare attribute NAME as string, number, boolean or date
                             before importing (repeatable)
      --list LIST_ID         also add every imported contact to this subscription list
                             (repeatable)
      --errors FILE          the error report                              (FILE.errors.csv)
      --delimiter CHAR       the CSV field delimiter                       (,)
      --batch-size N         rows per request, at most 10000               (5000)
  -h, --help                 show this help

Exits 0 when every row was imported, 1 when some were refused (see the error report).`;

const FIELDS = ['email', 'firstName', 'lastName', 'consent', 'timeZone', 'accountId', 'businessUnitId', 'ownerUserId'] as const;
type Field = (typeof FIELDS)[number];
const FIELD_ALIASES: Record<string, Field> = {
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  firstname: 'firstName',
  givenname: 'firstName',
  forename: 'firstName',
  lastname: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  consent: 'consent',
  timezone: 'timeZone',
  tz: 'timeZone',
  accountid: 'accountId',
  businessunitid: 'businessUnitId',
  owneruserid: 'ownerUserId',
  ownerid: 'ownerUserId',
};
const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date'] as const;
type AttributeType = (typeof ATTRIBUTE_TYPES)[number];
const MAX_BATCH = 10_000;
// Well under the server's 16 MiB body limit, whatever the rows hold.
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
const IN_FLIGHT = 3;

/** Where a column goes: a contact field, a custom attribute, or nowhere. */
type Target = { field: Field } | { attribute: string } | { skip: true };

export interface ImportOptions {
  file: string;
  url: string;
  apiKey: string;
  /** Header -> field (`email`, `attributes.city`, or `-`). */
  map?: Record<string, string>;
  /** Attribute types to declare before importing. */
  types?: Record<string, AttributeType>;
  lists?: string[];
  errorsFile?: string;
  delimiter?: string;
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  rows: number;
  imported: number;
  refused: number;
  bytesRead: number;
  bytesTotal: number;
  seconds: number;
}

export interface ImportSummary extends ImportProgress {
  errorsFile: string | null;
  rowsPerSecond: number;
}

interface Row {
  /** The line of the file the record starts on. */
  line: number;
  email: string;
  contact: Record<string, unknown>;
}

interface RowError {
  line: number;
  email: string;
  field: string;
  message: string;
}

/** camelCase of a header, as an attribute name: "Favourite colour" -> favouriteColour. */
export function attributeName(header: string): string {
  const words = header
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/[^A-Za-z0-9 ]/g, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  // An acronym is a word too: "VIP" -> vip, "Customer ID" -> customerId.
  const cased = words.map((word) => (word === word.toUpperCase() ? word.toLowerCase() : word));
  const name = cased.map((word, i) => (i === 0 ? word[0]!.toLowerCase() + word.slice(1) : word[0]!.toUpperCase() + word.slice(1))).join('');
  if (!name) return '';
  return /^[0-9]/.test(name) ? `_${name}` : name.slice(0, 100);
}

/** Where each column goes, by the explicit map first, then by the header. */
export function columnTargets(headers: readonly string[], map: Record<string, string> = {}): Target[] {
  return headers.map((header) => {
    const explicit = Object.hasOwn(map, header) ? map[header]! : undefined;
    if (explicit !== undefined) {
      if (explicit === '-' || explicit === '') return { skip: true };
      if (explicit.startsWith('attributes.')) return { attribute: explicit.slice('attributes.'.length) };
      if ((FIELDS as readonly string[]).includes(explicit)) return { field: explicit as Field };
      throw new UsageError(`--map ${header}=${explicit}: the field must be one of ${FIELDS.join(', ')}, attributes.NAME or -`, 'import');
    }
    const key = header.toLowerCase().replace(/[^a-z0-9]/g, '');
    const field = Object.hasOwn(FIELD_ALIASES, key) ? FIELD_ALIASES[key] : undefined;
    if (field) return { field };
    const name = attributeName(header);
    return name ? { attribute: name } : { skip: true };
  });
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T.*)?$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, y: true, n: false };

/** The type a column's values suggest: all numbers (without leading zeros), all booleans, all dates, else string. */
export function inferType(values: readonly string[]): AttributeType {
  if (values.length === 0) return 'string';
  if (values.every((value) => NUMBER.test(value) && Number.isFinite(Number(value)))) return 'number';
  if (values.every((value) => Object.hasOwn(BOOLEANS, value.toLowerCase()))) return 'boolean';
  if (values.every((value) => ISO_DATE.test(value))) return 'date';
  return 'string';
}

/** A cell as the declared type wants it; what does not convert goes as text, for the API to refuse with a reason. */
function convert(value: string, type: AttributeType | undefined): unknown {
  if (type === 'number' && NUMBER.test(value)) return Number(value);
  if (type === 'boolean') {
    const lower = value.toLowerCase();
    if (lower === '1' || lower === '0') return lower === '1';
    if (Object.hasOwn(BOOLEANS, lower)) return BOOLEANS[lower];
  }
  return value;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: any,
  ) {
    super(`${status} ${body?.detail ?? body?.title ?? (typeof body === 'string' ? body.slice(0, 200) : '')}`);
  }
}

class Api {
  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<any> {
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(`${this.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        if (attempt >= 5) throw new Error(`cannot reach ${this.url}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        continue;
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      // The server's trouble, not the data's: try again a few times.
      if (response.status >= 500 && attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        continue;
      }
      if (!response.ok) throw new ApiError(response.status, parsed);
      return parsed;
    }
  }
}

/** `contacts.12.attributes.age` -> [12, 'attributes.age'] */
function rowError(path: string): [number, string] | null {
  const match = /^contacts\.(\d+)(?:\.(.+))?$/.exec(path);
  return match ? [Number(match[1]), match[2] ?? 'row'] : null;
}

function csvCell(value: unknown): string {
  const text = String(value ?? '');
  // Leading = + - @ make spreadsheets run formulas; a quote mark keeps them text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Imports a CSV file; resolves with what happened. Throws on a file or server it cannot use. */
export async function importContactsFile(options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const api = new Api(options.url.replace(/\/$/, ''), options.apiKey);
  const batchSize = Math.min(options.batchSize ?? 5000, MAX_BATCH);
  const bytesTotal = statSync(options.file).size;
  const errorsPath = options.errorsFile ?? `${options.file.replace(/\.csv$/i, '')}.errors.csv`;

  // Fail before reading a row when the server, the key or a list is wrong.
  const declared = new Map<string, AttributeType>();
  const loadDeclared = async () => {
    const attributes = await api.call('GET', '/attributes?entity=contact');
    for (const item of attributes.items as { name: string; type: AttributeType }[]) declared.set(item.name, item.type);
  };
  await loadDeclared();
  for (const list of options.lists ?? []) await api.call('GET', `/subscription-lists/${encodeURIComponent(list)}`);
  const declare = async (name: string, type: AttributeType) => {
    try {
      await api.call('POST', '/attributes', { entity: 'contact', name, type });
      declared.set(name, type);
    } catch (error) {
      // Declared meanwhile with another type: use that one.
      if (error instanceof ApiError && error.status === 409) await loadDeclared();
      else throw error;
    }
  };
  for (const [name, type] of Object.entries(options.types ?? {})) await declare(name, type);

  const progress: ImportProgress = { rows: 0, imported: 0, refused: 0, bytesRead: 0, bytesTotal, seconds: 0 };
  // Opened at the first refused row: a clean import leaves no report behind.
  const out: { report: WriteStream | null } = { report: null };
  const writeErrors = (errors: RowError[]) => {
    if (errors.length === 0) return;
    if (!out.report) {
      out.report = createWriteStream(errorsPath, { encoding: 'utf8' });
      out.report.write('line,email,field,message\n');
    }
    for (const error of errors) out.report.write(`${error.line},${csvCell(error.email)},${csvCell(error.field)},${csvCell(error.message)}\n`);
  };

  /** Sends rows, taking out the ones the API names as wrong until the rest goes in. */
  const send = async (rows: Row[]): Promise<void> => {
    let pending = rows;
    while (pending.length > 0) {
      try {
        const result = await api.call('POST', '/contacts/batch', { contacts: pending.map((row) => row.contact) });
        progress.imported += pending.length;
        for (const list of options.lists ?? []) {
          const ids = [...new Set(result.ids as string[])];
          await api.call('POST', `/subscription-lists/${encodeURIComponent(list)}/members`, { add: ids });
        }
        return;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.status === 413 && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await send(pending.slice(0, half));
          pending = pending.slice(half);
          continue;
        }
        const located = error.status === 400 || error.status === 409 ? ((error.body?.errors ?? []) as { path: string; message: string }[]).map((e) => [rowError(e.path), e.message] as const) : [];
        if (located.length === 0 || located.some(([where]) => where === null || where[0] >= pending.length)) {
          if (error.status === 401) throw new Error(`the API key was refused by ${options.url}`);
          throw new Error(`the server refused a batch: ${error.message}`);
        }
        const bad = new Set<number>();
        const errors: RowError[] = [];
        for (const [where, message] of located) {
          const [index, field] = where!;
          bad.add(index);
          errors.push({ line: pending[index]!.line, email: pending[index]!.email, field, message });
        }
        writeErrors(errors);
        progress.refused += bad.size;
        pending = pending.filter((_, index) => !bad.has(index));
      }
    }
  };

  const source = createReadStream(options.file);
  const parser = source.pipe(parse({ bom: true, delimiter: options.delimiter ?? ',', relax_column_count: true, skip_empty_lines: true, info: true, trim: true }));
  let targets: Target[] | null = null;
  let batch: Row[] = [];
  let batchBytes = 0;
  // Up to three batches are in the server while the next is read: parsing, the API and the
  // database work at the same time (one in flight leaves the server idle while it waits). A batch
  // that names an address a batch in flight names waits for it: the later row must win, and two
  // transactions upserting the same rows in opposite orders would deadlock.
  const inFlight = new Map<Promise<void>, Set<string>>();
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchBytes = 0;
    const emails = new Set(rows.map((row) => row.email.toLowerCase()));
    const overlapping = () => [...inFlight].filter(([, sent]) => [...emails].some((email) => sent.has(email))).map(([promise]) => promise);
    for (let waitFor = overlapping(); waitFor.length > 0; waitFor = overlapping()) await Promise.all(waitFor);
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight.keys());
    await declareFromRows(rows);
    const sending: Promise<void> = send(rows).then(() => {
      inFlight.delete(sending);
      progress.bytesRead = source.bytesRead;
      progress.seconds = (performance.now() - started) / 1000;
      options.onProgress?.({ ...progress });
    });
    inFlight.set(sending, emails);
    // Marked as handled: the failure surfaces at the next flush or at the end, not as a crash.
    sending.catch(() => undefined);
  };
  const attributeTargets = () => (targets ?? []).flatMap((target) => ('attribute' in target ? [target.attribute] : []));
  const declareFromRows = async (rows: Row[]) => {
    for (const name of attributeTargets()) {
      if (declared.has(name)) continue;
      const values = rows.flatMap((row) => {
        const value = (row.contact.attributes as Record<string, unknown> | undefined)?.[name];
        return typeof value === 'string' ? [value] : [];
      });
      if (values.length === 0) continue;
      await declare(name, inferType(values));
    }
    // Now that every column has a type, convert the cells of the batch.
    for (const row of rows) {
      const attributes = row.contact.attributes as Record<string, unknown> | undefined;
      if (!attributes) continue;
      for (const [name, value] of Object.entries(attributes)) {
        if (typeof value === 'string') attributes[name] = convert(value, declared.get(name));
      }
    }
  };

  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!targets) {
      targets = columnTargets(record, options.map);
      const emailColumns = targets.filter((target) => 'field' in target && target.field === 'email').length;
      if (emailColumns !== 1) throw new UsageError(`${options.file}: the header needs exactly one email column (found ${emailColumns}); use --map COLUMN=email`, 'import');
      continue;
    }
    progress.rows += 1;
    const contact: Record<string, unknown> = {};
    const attributes: Record<string, unknown> = {};
    record.forEach((cell, i) => {
      const target = targets![i];
      if (!target || 'skip' in target || cell === '') return;
      if ('field' in target) contact[target.field] = cell;
      else attributes[target.attribute] = cell;
    });
    if (Object.keys(attributes).length > 0) contact.attributes = attributes;
    const email = typeof contact.email === 'string' ? contact.email : '';
    // A row without an address names no contact: reported here, never sent.
    if (!email) {
      writeErrors([{ line: info.lines, email: '', field: 'email', message: 'no email address' }]);
      progress.refused += 1;
      continue;
    }
    batch.push({ line: info.lines, email, contact });
    // About what the row weighs as JSON: its cells, plus room for names and quotes.
    batchBytes += record.reduce((sum, cell) => sum + cell.length + 24, 0);
    if (batch.length >= batchSize || batchBytes >= MAX_BATCH_BYTES) await flush();
  }
  await flush();
  await Promise.all(inFlight.keys());
  if (!targets) throw new UsageError(`${options.file} is empty: it needs a header row`, 'import');
  const report = out.report;
  if (report) await new Promise<void>((resolve, reject) => report.end((error?: Error | null) => (error ? reject(error) : resolve())));
  progress.bytesRead = bytesTotal;
  progress.seconds = (performance.now() - started) / 1000;
  return { ...progress, errorsFile: report ? errorsPath : null, rowsPerSecond: Math.round(progress.imported / Math.max(progress.seconds, 0.001)) };
}

function keyValues(values: string[] | undefined, flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const eq = value.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects NAME=VALUE, got "${value}"`, 'import');
    result[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return result;
}

function progressBar(progress: ImportProgress): string {
  const share = progress.bytesTotal > 0 ? Math.min(1, progress.bytesRead / progress.bytesTotal) : 1;
  const width = 24;
  const filled = Math.round(share * width);
  const rate = Math.round(progress.imported / Math.max(progress.seconds, 0.001));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${progress.imported.toLocaleString('en-US')} imported  ${progress.refused.toLocaleString('en-US')} refused  ${rate.toLocaleString('en-US')}/s`;
}

const options = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  map: { type: 'string', multiple: true },
  type: { type: 'string', multiple: true },
  list: { type: 'string', multiple: true },
  errors: { type: 'string' },
  delimiter: { type: 'string' },
  'batch-size': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function importCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), 'import');
  }
  const { values: flags, positionals } = parsed;
  if (flags.help) {
    console.log(importHelp);
    return 0;
  }
  const [what, file, ...rest] = positionals;
  if (what !== 'contacts') throw new UsageError(what === undefined ? 'say what to import: waymark import contacts FILE.csv' : `cannot import "${what}"; only contacts`, 'import');
  if (!file) throw new UsageError('name the CSV file: waymark import contacts FILE.csv', 'import');
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`, 'import');
  const apiKey = pick(flags['api-key'], 'WAYMARK_API_KEY');
  if (!apiKey) throw new UsageError('an API key is needed: --api-key KEY or WAYMARK_API_KEY', 'import');
  const url = pick(flags.url, 'WAYMARK_URL') ?? 'http://localhost:8080';
  if (!/^https?:\/\//i.test(url)) throw new UsageError('the URL must start with http:// or https://', 'import');
  try {
    statSync(file);
  } catch {
    throw new UsageError(`cannot read ${file}`, 'import');
  }
  const types = keyValues(flags.type, '--type');
  for (const [name, type] of Object.entries(types)) {
    if (!(ATTRIBUTE_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type ${name}=${type}: the type must be one of ${ATTRIBUTE_TYPES.join(', ')}`, 'import');
  }
  if (flags.delimiter !== undefined && flags.delimiter.length !== 1) throw new UsageError('--delimiter takes one character', 'import');
  const batchSize = flags['batch-size'] === undefined ? undefined : parsePositiveInt(flags['batch-size'], '--batch-size');
  if (batchSize !== undefined && batchSize > MAX_BATCH) throw new UsageError(`--batch-size is at most ${MAX_BATCH}`, 'import');

  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const summary = await importContactsFile({
    file,
    url,
    apiKey,
    map: keyValues(flags.map, '--map'),
    types: types as Record<string, AttributeType>,
    lists: flags.list,
    errorsFile: flags.errors,
    delimiter: flags.delimiter,
    batchSize,
    onProgress(progress) {
      if (tty) process.stderr.write(`\r${progressBar(progress)}`);
      else if (progress.seconds - lastLine >= 2) {
        lastLine = progress.seconds;
        process.stderr.write(`${progressBar(progress)}\n`);
      }
    },
  });
  if (tty) process.stderr.write(`\r${progressBar(summary)}\n`);
  console.log(
    `imported ${summary.imported.toLocaleString('en-US')} of ${summary.rows.toLocaleString('en-US')} rows from ${file} in ${summary.seconds.toFixed(1)} s (${summary.rowsPerSecond.toLocaleString('en-US')} rows/s)`,
  );
  if (summary.errorsFile) console.log(`${summary.refused.toLocaleString('en-US')} rows refused; see ${summary.errorsFile}`);
  return summary.refused > 0 ? 1 : 0;
}
