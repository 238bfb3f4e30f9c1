import { useEffect, useId, useMemo, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import { Icon } from '../components/Icon.tsx';
import { Dialog } from '../components/Dialog.tsx';
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

/** A journey that sends the email (GET /emails/{id}/usage). */
interface EmailUsage {
  id: string;
  name: string;
  status: string;
}

/**
 * The email editor: its fields on the left, the rendered preview (as a contact would get it) on the
 * right. A live email is changed through its next revision: saved as a draft, sent only once
 * published, and publishing first names the journeys that send it.
 */
export function EmailEditor({ id }: { id: string }) {
  const email = useData(`email:${id}`, () => api.get<EmailRecord & { revision?: number; hasDraft?: boolean }>(`/emails/${encodeURIComponent(id)}`));
  // The saved next revision of a live email, shown in place of the live one while it exists.
  const nextRevision = useData(email.data?.status === 'live' && email.data.hasDraft ? `email-draft:${id}` : null, () => api.get<EmailRecord>(`/emails/${encodeURIComponent(id)}/draft`));
  const { reload } = useRecords();
  const [draft, setDraft] = useState<EmailRecord | null>(null);
  const [usage, setUsage] = useState<EmailUsage[] | null>(null);
  const [message, setMessage] = useState<{ text: string; tone: 'success' | 'error' } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewVersion, setPreviewVersion] = useState(0);
  const form = useId();
  const saved = email.data?.status === 'live' && email.data.hasDraft ? (nextRevision.data ? { ...email.data, ...nextRevision.data } : null) : (email.data ?? null);
  const current = draft ?? saved;

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
  const hasNextRevision = live && (draft !== null || email.data?.hasDraft === true);
  const set = (patch: Partial<EmailRecord>) => setDraft({ ...current, ...patch });

  const save = async (): Promise<boolean> => {
    try {
      const body = { name: current.name, subject: current.subject, html: current.html, fromName: current.fromName || null, fromAddress: current.fromAddress || null };
      if (live) {
        // The live revision keeps going out until this one is published.
        nextRevision.setData(await api.put<EmailRecord>(`/emails/${encodeURIComponent(id)}/draft`, body));
        email.setData({ ...email.data!, hasDraft: true });
        setDraft(null);
        setMessage({ text: 'Changes saved. Contacts keep getting the live version until you publish them.', tone: 'success' });
        return true;
      }
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
      const answer = await api.post<{ status: 'live'; revision?: number }>(`/emails/${encodeURIComponent(id)}/publish`);
      setUsage(null);
      email.setData(await api.get(`/emails/${encodeURIComponent(id)}`));
      await reload('email');
      setPreviewVersion((v) => v + 1);
      setMessage({ text: answer.revision ? `Revision ${answer.revision} published: every email sent from now on uses it.` : 'Email published: journeys can send it.', tone: 'success' });
    } catch (caught) {
      setMessage({ text: errorMessage(caught), tone: 'error' });
    }
  };
  /** Before a live email changes, say which journeys send it. */
  const confirmPublish = async () => {
    if (!live) return publish();
    if (draft && !(await save())) return;
    try {
      setUsage((await api.get<{ items: EmailUsage[] }>(`/emails/${encodeURIComponent(id)}/usage`)).items);
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
          <button type="button" className="button primary" onClick={() => void confirmPublish()} disabled={live && !hasNextRevision}>
            {live ? 'Publish changes' : 'Publish'}
          </button>
        </div>
      </div>
      {live && (
        <p className="notice">
          This email is live{email.data?.revision ? ` (revision ${email.data.revision})` : ''}: changes are saved as its next revision and go out only once you publish them.
        </p>
      )}
      {usage && (
        <Dialog
          title="Publish email change"
          onClose={() => setUsage(null)}
          footer={
            <>
              <button type="button" className="button" onClick={() => setUsage(null)}>
                Cancel
              </button>
              <button type="button" className="button primary" onClick={() => void publish()}>
                Publish
              </button>
            </>
          }
        >
          {usage.length === 0 ? (
            <p>No running journey sends this email.</p>
          ) : (
            <>
              <p>Every email these journeys send from now on uses the new version, also to contacts already in them:</p>
              <ul aria-label="Journeys that send this email">
                {usage.map((journey) => (
                  <li key={journey.id}>
                    {journey.name} ({journey.status})
                  </li>
                ))}
              </ul>
            </>
          )}
        </Dialog>
      )}
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
