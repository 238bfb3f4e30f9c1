import { useEffect, useId, useMemo, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import { Icon } from '../components/Icon.tsx';
import { EMAIL_FOOTER } from '../components/RecordDialogs.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useRecords, type EmailRecord } from '../records.tsx';
import { Link, navigate } from '../router.tsx';
import { useData } from '../useData.ts';

export function Emails() {
  const { records, loaded, reload } = useRecords();
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const rows = useMemo(() => records.email.filter((e) => `${e.name} ${e.subject}`.toLowerCase().includes(query.trim().toLowerCase())), [records.email, query]);
  const create = async () => {
    try {
      const email = await api.post<EmailRecord>('/emails', { name: 'Untitled email', subject: 'Hello {{ contact.firstName }}', html: `<h1>Hello {{ contact.firstName }}</h1>\n<p>…</p>\n${EMAIL_FOOTER}` });
      await reload('email');
      navigate(`/emails/${encodeURIComponent(email.id)}`);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Emails</h1>
          <p className="muted">Marketing emails that journeys send. Publish an email before a journey can use it.</p>
        </div>
        <button type="button" className="button primary" onClick={() => void create()}>
          <Icon name="plus" /> New email
        </button>
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className="list-toolbar">
        <input type="search" className="input search" aria-label="Search emails" placeholder="Search emails" value={query} onChange={(event) => setQuery(event.target.value)} />
      </div>
      {!loaded ? (
        <p className="muted">Loading emails…</p>
      ) : (
        <table className="table" aria-label="Emails">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Subject</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((email) => (
              <tr key={email.id}>
                <td>
                  <Link to={`/emails/${encodeURIComponent(email.id)}`} className="row-link">
                    {email.name}
                  </Link>
                </td>
                <td>{email.subject}</td>
                <td>
                  <StatusBadge status={email.status === 'live' ? 'live' : 'draft'} />
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={3} className="empty-inline">
                  {records.email.length === 0 ? 'No emails yet.' : 'No email matches.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

interface Preview {
  subject: string;
  html: string;
}

/** The email editor: its fields on the left, the rendered preview (as a contact would get it) on the right. */
export function EmailEditor({ id }: { id: string }) {
  const email = useData(`email:${id}`, () => api.get<EmailRecord>(`/emails/${encodeURIComponent(id)}`));
  const { reload } = useRecords();
  const [draft, setDraft] = useState<EmailRecord | null>(null);
  const [message, setMessage] = useState<{ text: string; tone: 'success' | 'error' } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewVersion, setPreviewVersion] = useState(0);
  const form = useId();
  const current = draft ?? email.data ?? null;

  useEffect(() => {
    // A preview asked for before the last save may answer after the newer one: drop it.
    let latest = true;
    api
      .get<Preview>(`/emails/${encodeURIComponent(id)}/preview`)
      .then((answer) => {
        if (latest) setPreview(answer);
      })
      .catch((caught: unknown) => {
        if (latest) setPreview({ subject: '', html: `<p style="font-family:sans-serif;color:#b91c1c">${errorMessage(caught).replace(/</g, '&lt;')}</p>` });
      });
    return () => {
      latest = false;
    };
  }, [id, previewVersion]);

  if (email.error) return <p className="page field-error">{errorMessage(email.error)}</p>;
  if (!current) return <p className="page muted">Loading the email…</p>;
  const live = current.status === 'live';
  const set = (patch: Partial<EmailRecord>) => setDraft({ ...current, ...patch });

  const save = async (): Promise<boolean> => {
    try {
      const body = { name: current.name, subject: current.subject, html: current.html, fromName: current.fromName || null, fromAddress: current.fromAddress || null };
      const saved = await api.patch<EmailRecord>(`/emails/${encodeURIComponent(id)}`, body);
      email.setData(saved);
      setDraft(null);
      await reload('email');
      setPreviewVersion((v) => v + 1);
      setMessage({ text: 'Email saved.', tone: 'success' });
      return true;
    } catch (caught) {
      setMessage({ text: errorMessage(caught), tone: 'error' });
      return false;
    }
  };
  const publish = async () => {
    if (draft && !(await save())) return;
    try {
      await api.post(`/emails/${encodeURIComponent(id)}/publish`);
      email.setData({ ...current, status: 'live' });
      await reload('email');
      setMessage({ text: 'Email published: journeys can send it.', tone: 'success' });
    } catch (caught) {
      setMessage({ text: errorMessage(caught), tone: 'error' });
    }
  };

  return (
    <div className="page wide-page">
      <div className="page-header">
        <div>
          <Link to="/emails" className="back-link">
            <Icon name="back" />
            Emails
          </Link>
          <h1>
            {current.name} <StatusBadge status={live ? 'live' : 'draft'} />
          </h1>
        </div>
        <div className="row">
          <button type="button" className="button" onClick={() => void save()} disabled={!draft}>
            Save
          </button>
          <button type="button" className="button primary" onClick={() => void publish()} disabled={live && !draft}>
            Publish
          </button>
        </div>
      </div>
      <div role="status" aria-live="polite">{message && <p className={message.tone === 'error' ? 'field-error' : 'success-panel inline'}>{message.text}</p>}</div>
      <div className="editor-split">
        <form id={form} className="card" onSubmit={(event) => event.preventDefault()}>
          <div className="field">
            <label htmlFor={`${form}-name`}>Name</label>
            <input id={`${form}-name`} className="input" value={current.name} onChange={(event) => set({ name: event.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={`${form}-subject`}>Subject</label>
            <input id={`${form}-subject`} className="input" value={current.subject} onChange={(event) => set({ subject: event.target.value })} />
          </div>
          <div className="row">
            <div className="field">
              <label htmlFor={`${form}-from-name`}>From name</label>
              <input id={`${form}-from-name`} className="input" value={current.fromName ?? ''} onChange={(event) => set({ fromName: event.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`${form}-from-address`}>From address</label>
              <input id={`${form}-from-address`} type="email" className="input" value={current.fromAddress ?? ''} onChange={(event) => set({ fromAddress: event.target.value })} />
            </div>
          </div>
          <div className="field">
            <label htmlFor={`${form}-html`}>HTML body</label>
            <textarea id={`${form}-html`} className="input code" rows={18} value={current.html} onChange={(event) => set({ html: event.target.value })} />
            <p className="hint">Liquid: {'{{ contact.firstName }}'}, {'{{ contact.attributes.city }}'}. A published email needs {'{{ content.subscriptionCenterUrl }}'} and {'{{ content.postalAddress }}'}.</p>
          </div>
        </form>
        <section className="card preview" aria-labelledby={`${form}-preview`}>
          <h2 id={`${form}-preview`}>Preview</h2>
          <p className="muted small">Subject: {preview?.subject ?? '…'}</p>
          <iframe title="Email preview" sandbox="" srcDoc={preview?.html ?? ''} className="preview-frame" />
        </section>
      </div>
    </div>
  );
}
