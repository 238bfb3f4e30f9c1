import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type { SegmentQuery } from '@waymark/core';
import { api, errorMessage } from '../api.ts';
import { RECORD_LABELS, RECORD_PATHS, useRecords, type EmailRecord, type RecordKind } from '../records.tsx';
import { Dialog } from './Dialog.tsx';
import { QueryBuilder } from './QueryBuilder.tsx';

export const EMAIL_FOOTER = '<p style="color:#64748b;font-size:12px">{{ content.postalAddress }} · <a href="{{ content.subscriptionCenterUrl }}">Manage your subscriptions</a></p>';

export function Field({ label, children, hint }: { label: string; children: (id: string) => ReactNode; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

interface Draft {
  [field: string]: unknown;
}

function initialDraft(kind: RecordKind): Draft {
  switch (kind) {
    case 'email':
      return { name: '', subject: '', html: `<p>Hi {{ contact.firstName }},</p>\n<p>…</p>\n${EMAIL_FOOTER}`, publish: true };
    case 'segment':
      return { name: '', kind: 'dynamic', query: { attribute: 'email', op: 'exists' } };
    case 'form':
      return { name: '', withName: true, publish: true };
    case 'workflow':
      return { name: '', url: 'https://', secret: '' };
    case 'subscriptionList':
      return { name: '' };
    case 'contentSettings':
      return { name: '', postalAddress: '', subscriptionCenterUrl: '', isDefault: false };
  }
}

/** Quick create ("New") or edit ("Edit") of a record a tile or the journey uses, in a flyout. */
export function RecordDialog({ kind, recordId, onClose, onSaved }: { kind: RecordKind; recordId?: string; onClose: () => void; onSaved: (id: string) => void }) {
  const { reload } = useRecords();
  const [draft, setDraft] = useState<Draft>(() => initialDraft(kind));
  const [loaded, setLoaded] = useState(!recordId);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [count, setCount] = useState<number | null>(null);
  const set = (patch: Draft) => setDraft((d) => ({ ...d, ...patch }));
  const label = RECORD_LABELS[kind];
  const path = RECORD_PATHS[kind];

  useEffect(() => {
    if (!recordId) return;
    api
      .get<Draft>(`${path}/${encodeURIComponent(recordId)}`)
      .then((record) => {
        setDraft({ ...record, publish: false });
        setStatus(typeof record.status === 'string' ? record.status : null);
        setLoaded(true);
      })
      .catch((caught: unknown) => setError(errorMessage(caught)));
  }, [recordId, path]);

  // The live count of a dynamic segment's query, as it is edited.
  const query = kind === 'segment' && draft.kind === 'dynamic' ? JSON.stringify(draft.query) : null;
  useEffect(() => {
    if (!query) return;
    const timer = window.setTimeout(() => {
      api
        .post<{ count: number }>('/segments/preview', { query: JSON.parse(query) })
        .then((result) => setCount(result.count))
        .catch(() => setCount(null));
    }, 300);
    return () => window.clearTimeout(timer);
  }, [query]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let body: Draft;
      if (kind === 'email') body = pick(draft, ['name', 'subject', 'html', 'text', 'fromName', 'fromAddress']);
      else if (kind === 'segment') body = draft.kind === 'dynamic' ? { name: draft.name, kind: 'dynamic', query: draft.query } : { name: draft.name, kind: 'static' };
      else if (kind === 'form')
        body = recordId
          ? { name: draft.name }
          : { name: draft.name, fields: [{ name: 'email', label: 'Email', type: 'email', required: true }, ...(draft.withName ? [{ name: 'firstName', label: 'First name', type: 'text' }] : [])] };
      else if (kind === 'contentSettings') body = { name: draft.name, postalAddress: draft.postalAddress, ...(draft.subscriptionCenterUrl ? { subscriptionCenterUrl: draft.subscriptionCenterUrl } : {}), isDefault: !!draft.isDefault };
      else if (kind === 'workflow') body = { name: draft.name, url: draft.url, secret: draft.secret };
      else body = { name: draft.name };
      if (recordId && kind === 'segment') delete body.kind;
      const saved = recordId ? await api.patch<{ id: string }>(`${path}/${encodeURIComponent(recordId)}`, body) : await api.post<{ id: string }>(path, body);
      const id = recordId ?? saved.id;
      if ((kind === 'email' || kind === 'form') && draft.publish) await api.post(`${path}/${encodeURIComponent(id)}/publish`);
      await reload(kind);
      onSaved(id);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  const text = (field: string, fieldLabel: string, options: { multiline?: boolean; hint?: string; type?: string; required?: boolean } = {}) => (
    <Field label={fieldLabel} hint={options.hint}>
      {(id) =>
        options.multiline ? (
          <textarea id={id} className="input code" rows={8} value={String(draft[field] ?? '')} onChange={(event) => set({ [field]: event.target.value })} />
        ) : (
          <input id={id} className="input" type={options.type ?? 'text'} required={options.required} value={String(draft[field] ?? '')} onChange={(event) => set({ [field]: event.target.value })} />
        )
      }
    </Field>
  );

  const publishable = kind === 'email' || kind === 'form';
  const liveWorkflowEdit = kind === 'workflow' && recordId;

  return (
    <Dialog title={recordId ? `Edit ${label.toLowerCase()}` : `New ${label.toLowerCase()}`} onClose={onClose} className="flyout">
      {!loaded && !error && <p className="muted">Loading…</p>}
      {loaded && (
        <form onSubmit={submit} className="stack">
          {status && <p className="muted">Status: {status === 'live' ? 'Published' : 'Draft'}</p>}
          {text('name', 'Name', { required: true })}
          {kind === 'email' && (
            <>
              {text('subject', 'Subject', { required: true, hint: 'Liquid works here: {{ contact.firstName }}' })}
              {text('html', 'HTML body', { multiline: true, hint: 'A published email needs {{ content.subscriptionCenterUrl }} and {{ content.postalAddress }}.' })}
              {text('fromName', 'From name')}
              {text('fromAddress', 'From address', { type: 'email' })}
            </>
          )}
          {kind === 'segment' && (
            <>
              {!recordId && (
                <fieldset className="radio-row">
                  <legend>Kind</legend>
                  <label><input type="radio" name="segment-kind" checked={draft.kind === 'dynamic'} onChange={() => set({ kind: 'dynamic' })} /> Dynamic (a query)</label>
                  <label><input type="radio" name="segment-kind" checked={draft.kind === 'static'} onChange={() => set({ kind: 'static' })} /> Static (chosen contacts)</label>
                </fieldset>
              )}
              {draft.kind === 'dynamic' && (
                <>
                  <QueryBuilder value={draft.query as SegmentQuery} onChange={(q) => set({ query: q })} />
                  <p className="live-count" role="status">{count === null ? 'Counting…' : `${count.toLocaleString()} contact${count === 1 ? '' : 's'} match now`}</p>
                </>
              )}
            </>
          )}
          {kind === 'form' && !recordId && (
            <label className="check"><input type="checkbox" checked={!!draft.withName} onChange={(event) => set({ withName: event.target.checked })} /> Ask for the first name too (email is always asked)</label>
          )}
          {kind === 'workflow' && (
            <>
              {text('url', 'URL', { type: 'url', required: true, hint: 'Waymark POSTs a signed JSON body here.' })}
              {!recordId && text('secret', 'Signing secret', { required: true, hint: 'At least 8 characters; used for the Waymark-Signature HMAC.' })}
            </>
          )}
          {kind === 'contentSettings' && (
            <>
              {text('postalAddress', 'Postal address', { required: true })}
              {text('subscriptionCenterUrl', 'Subscription center URL', { type: 'url' })}
              <label className="check"><input type="checkbox" checked={!!draft.isDefault} onChange={(event) => set({ isDefault: event.target.checked })} /> Default for new journeys</label>
            </>
          )}
          {publishable && status !== 'live' && (
            <label className="check"><input type="checkbox" checked={!!draft.publish} onChange={(event) => set({ publish: event.target.checked })} /> Publish it now</label>
          )}
          {error && <p className="field-error" role="alert">{error}</p>}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>Cancel</button>
            {!liveWorkflowEdit && (
              <button type="submit" className="button primary" disabled={busy}>
                {recordId ? 'Save' : `Create ${label.toLowerCase()}`}
              </button>
            )}
          </div>
        </form>
      )}
    </Dialog>
  );
}

function pick(draft: Draft, fields: string[]): Draft {
  const out: Draft = {};
  for (const field of fields) {
    const value = draft[field];
    if (value !== undefined && value !== null && value !== '') out[field] = value;
  }
  return out;
}

export type { EmailRecord };
