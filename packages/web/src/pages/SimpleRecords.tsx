import { useId, useState, type FormEvent } from 'react';
import { api, errorMessage, listAll } from '../api.ts';
import { Icon } from '../components/Icon.tsx';
import { useData } from '../useData.ts';
import { formatDate } from './JourneyList.tsx';

type Row = Record<string, unknown> & { id: string; name: string; createdAt?: string };

interface FieldSpec {
  key: string;
  label: string;
  kind?: 'text' | 'url' | 'password' | 'textarea' | 'checkbox';
  initial?: string | boolean;
  hint?: string;
}

interface RecordPageSpec {
  /** Plural title, e.g. "Forms". */
  title: string;
  /** Singular, lower case, e.g. "form". */
  singular: string;
  path: string;
  intro: string;
  empty: string;
  fields: FieldSpec[];
  columns: { label: string; value: (row: Row) => string }[];
  /** The POST body from the form's values, or a message naming what is wrong. */
  toBody: (values: Record<string, string | boolean>) => { body: unknown } | { problem: string };
}

const initialValues = (fields: FieldSpec[]) => Object.fromEntries(fields.map((f) => [f.key, f.initial ?? (f.kind === 'checkbox' ? false : '')]));

/** A list of one kind of record with a create form: the small record pages journeys refer to. */
function RecordPage({ spec }: { spec: RecordPageSpec }) {
  const id = useId();
  const list = useData<Row[]>(spec.path, () => listAll<Row>(spec.path));
  const [creating, setCreating] = useState(false);
  const [values, setValues] = useState<Record<string, string | boolean>>(() => initialValues(spec.fields));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const rows = list.data ?? [];
  const capital = spec.singular[0]!.toUpperCase() + spec.singular.slice(1);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = spec.toBody(values);
    if ('problem' in result) {
      setError(result.problem);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await api.post(spec.path, result.body);
      await list.reload();
      setCreating(false);
      setValues(initialValues(spec.fields));
      setMessage(`${capital} created.`);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{spec.title}</h1>
          <p className="muted">{spec.intro}</p>
        </div>
        <button type="button" className="button primary" aria-expanded={creating} onClick={() => { setCreating(true); setMessage(null); }}>
          <Icon name="plus" /> New {spec.singular}
        </button>
      </div>
      <div role="status" aria-live="polite">{message && <p className="success-panel inline">{message}</p>}</div>
      {creating && (
        <form className="card record-form" aria-label={`New ${spec.singular}`} onSubmit={(event) => void submit(event)} noValidate>
          <h2>New {spec.singular}</h2>
          {spec.fields.map((field) => {
            const fieldId = `${id}-${field.key}`;
            const value = values[field.key];
            const set = (next: string | boolean) => setValues((current) => ({ ...current, [field.key]: next }));
            if (field.kind === 'checkbox') {
              return (
                <div className="field" key={field.key}>
                  <label>
                    <input type="checkbox" checked={value === true} onChange={(event) => set(event.target.checked)} /> {field.label}
                  </label>
                </div>
              );
            }
            return (
              <div className="field" key={field.key}>
                <label htmlFor={fieldId}>{field.label}</label>
                {field.kind === 'textarea' ? (
                  <textarea id={fieldId} className="input code" rows={8} value={String(value ?? '')} onChange={(event) => set(event.target.value)} aria-describedby={field.hint ? `${fieldId}-hint` : undefined} />
                ) : (
                  <input id={fieldId} className="input" type={field.kind === 'url' ? 'url' : field.kind === 'password' ? 'password' : 'text'} value={String(value ?? '')} onChange={(event) => set(event.target.value)} aria-describedby={field.hint ? `${fieldId}-hint` : undefined} />
                )}
                {field.hint && <p className="hint" id={`${fieldId}-hint`}>{field.hint}</p>}
              </div>
            );
          })}
          {error && <p className="field-error" role="alert">{error}</p>}
          <div className="row">
            <button type="submit" className="button primary" disabled={saving}>
              Create {spec.singular}
            </button>
            <button type="button" className="button" onClick={() => { setCreating(false); setError(null); }}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {list.error ? <p className="field-error">{errorMessage(list.error)}</p> : null}
      {!list.data && !list.error ? (
        <p className="muted">Loading {spec.title.toLowerCase()}…</p>
      ) : rows.length === 0 ? (
        <div className="empty-state">
          <h2>No {spec.title.toLowerCase()} yet</h2>
          <p className="muted">{spec.empty}</p>
        </div>
      ) : (
        <table className="table" aria-label={spec.title}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {spec.columns.map((column) => <th scope="col" key={column.label}>{column.label}</th>)}
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                <th scope="row">{row.name}</th>
                {spec.columns.map((column) => <td key={column.label}>{column.value(row)}</td>)}
                <td>{formatDate(row.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const text = (values: Record<string, string | boolean>, key: string) => String(values[key] ?? '').trim();
const optional = (value: string) => (value === '' ? undefined : value);

const DEFAULT_FORM_FIELDS = JSON.stringify([{ name: 'email', label: 'Email', type: 'email', required: true }], null, 2);

const FORMS_PAGE: RecordPageSpec = {
  title: 'Forms',
  singular: 'form',
  path: '/forms',
  intro: 'Sign-up forms: contacts who submit one are created or updated, and can enter journeys.',
  empty: 'Create a form to collect sign-ups; publish it through the API to make it public.',
  fields: [
    { key: 'name', label: 'Name' },
    { key: 'fields', label: 'Fields (JSON)', kind: 'textarea', initial: DEFAULT_FORM_FIELDS, hint: 'A JSON array of fields, each {"name", "label", "type" (email, text, number, checkbox, select, hidden), "required"}.' },
    { key: 'thankYouMessage', label: 'Thank-you message' },
  ],
  columns: [
    { label: 'Status', value: (row) => (row.status === 'live' ? 'Live' : 'Draft') },
    { label: 'Fields', value: (row) => String(Array.isArray(row.fields) ? row.fields.length : 0) },
  ],
  toBody: (values) => {
    const name = text(values, 'name');
    if (!name) return { problem: 'Name: enter a name.' };
    let fields: unknown;
    try {
      fields = JSON.parse(text(values, 'fields'));
    } catch (caught) {
      return { problem: `Fields: not valid JSON (${caught instanceof Error ? caught.message : String(caught)}).` };
    }
    if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => f && typeof f === 'object' && !Array.isArray(f))) return { problem: 'Fields: enter a JSON array of at least one field object.' };
    return { body: { name, fields, thankYouMessage: optional(text(values, 'thankYouMessage')) } };
  },
};

const SUBSCRIPTION_LISTS_PAGE: RecordPageSpec = {
  title: 'Subscription lists',
  singular: 'subscription list',
  path: '/subscription-lists',
  intro: 'Lists contacts subscribe to; journeys can add contacts to them and target them.',
  empty: 'Create a list for each kind of mail people can subscribe to.',
  fields: [{ key: 'name', label: 'Name' }],
  columns: [],
  toBody: (values) => (text(values, 'name') ? { body: { name: text(values, 'name') } } : { problem: 'Name: enter a name.' }),
};

const WORKFLOWS_PAGE: RecordPageSpec = {
  title: 'Workflows',
  singular: 'workflow',
  path: '/workflows',
  intro: 'Business workflows a journey can launch: Waymark calls the URL, signed with the secret.',
  empty: 'Register a workflow to launch it from a journey.',
  fields: [
    { key: 'name', label: 'Name' },
    { key: 'url', label: 'URL', kind: 'url' },
    { key: 'secret', label: 'Signing secret', kind: 'password', hint: 'At least 8 characters; it is never shown again.' },
  ],
  columns: [{ label: 'URL', value: (row) => String(row.url ?? '') }],
  toBody: (values) => {
    const name = text(values, 'name');
    const url = text(values, 'url');
    const secret = String(values.secret ?? '');
    if (!name) return { problem: 'Name: enter a name.' };
    if (!/^https?:\/\/\S+$/.test(url)) return { problem: 'URL: enter an http or https address.' };
    if (secret.length < 8) return { problem: 'Signing secret: at least 8 characters.' };
    return { body: { name, url, secret } };
  },
};

const CONTENT_SETTINGS_PAGE: RecordPageSpec = {
  title: 'Content settings',
  singular: 'content setting',
  path: '/content-settings',
  intro: 'The postal address and links every marketing email carries; journeys use the default one unless told otherwise.',
  empty: 'Create content settings before publishing emails: they need a postal address.',
  fields: [
    { key: 'name', label: 'Name' },
    { key: 'postalAddress', label: 'Postal address' },
    { key: 'subscriptionCenterUrl', label: 'Subscription center URL (optional)', kind: 'url' },
    { key: 'isDefault', label: 'Default for new journeys', kind: 'checkbox' },
  ],
  columns: [
    { label: 'Postal address', value: (row) => String(row.postalAddress ?? '') },
    { label: 'Default', value: (row) => (row.isDefault ? 'Yes' : 'No') },
  ],
  toBody: (values) => {
    const name = text(values, 'name');
    const postalAddress = text(values, 'postalAddress');
    const subscriptionCenterUrl = optional(text(values, 'subscriptionCenterUrl'));
    if (!name) return { problem: 'Name: enter a name.' };
    if (!postalAddress) return { problem: 'Postal address: enter the postal address.' };
    if (subscriptionCenterUrl && !/^https?:\/\/\S+$/.test(subscriptionCenterUrl)) return { problem: 'Subscription center URL: enter an http or https address.' };
    return { body: { name, postalAddress, subscriptionCenterUrl, isDefault: values.isDefault === true } };
  },
};

export function Forms() {
  return <RecordPage spec={FORMS_PAGE} />;
}
export function SubscriptionLists() {
  return <RecordPage spec={SUBSCRIPTION_LISTS_PAGE} />;
}
export function Workflows() {
  return <RecordPage spec={WORKFLOWS_PAGE} />;
}
export function ContentSettings() {
  return <RecordPage spec={CONTENT_SETTINGS_PAGE} />;
}
