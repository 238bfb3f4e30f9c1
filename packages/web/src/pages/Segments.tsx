import { useMemo, useState } from 'react';
import { Icon } from '../components/Icon.tsx';
import { RecordDialog } from '../components/RecordDialogs.tsx';
import { useRecords } from '../records.tsx';
import { formatDate } from './JourneyList.tsx';

/** Segments: who journeys target. Dynamic ones are a query with a live count; static ones a chosen list. */
export function Segments() {
  const { records, loaded } = useRecords();
  const [query, setQuery] = useState('');
  const [dialog, setDialog] = useState<{ id?: string } | null>(null);
  const rows = useMemo(() => records.segment.filter((s) => s.name.toLowerCase().includes(query.trim().toLowerCase())), [records.segment, query]);
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Segments</h1>
          <p className="muted">Dynamic segments keep themselves current from a query; static segments hold the contacts you add.</p>
        </div>
        <button type="button" className="button primary" onClick={() => setDialog({})}>
          <Icon name="plus" /> New segment
        </button>
      </div>
      <div className="list-toolbar">
        <input type="search" className="input search" aria-label="Search segments" placeholder="Search segments" value={query} onChange={(event) => setQuery(event.target.value)} />
      </div>
      {!loaded ? (
        <p className="muted">Loading segments…</p>
      ) : (
        <table className="table" aria-label="Segments">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((segment) => (
              <tr key={segment.id}>
                <td>
                  <button type="button" className="row-link link-like" onClick={() => setDialog({ id: segment.id })}>
                    {segment.name}
                  </button>
                </td>
                <td>
                  <span className={`mini-badge ${segment.kind === 'dynamic' ? 'mini-live' : ''}`}>{segment.kind === 'dynamic' ? 'Dynamic' : 'Static'}</span>
                </td>
                <td>{formatDate((segment as { createdAt?: string }).createdAt)}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={3} className="empty-inline">
                  {records.segment.length === 0 ? 'No segments yet: create one to target a journey.' : 'No segment matches.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {dialog && <RecordDialog kind="segment" recordId={dialog.id} onClose={() => setDialog(null)} onSaved={() => setDialog(null)} />}
    </div>
  );
}
