import { useMemo, useState } from 'react';
import { errorMessage, listAll } from '../api.ts';
import { Icon } from '../components/Icon.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import type { Journey } from '../journey/types.ts';
import { Link } from '../router.tsx';
import { useData } from '../useData.ts';
import { TemplatesDialog } from './TemplatesDialog.tsx';

type SortKey = 'name' | 'status' | 'startAt' | 'updatedAt';
const SORTS: { key: SortKey; label: string }[] = [
  { key: 'updatedAt', label: 'Last modified' },
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'startAt', label: 'Start' },
];
const STATUSES = ['all', 'draft', 'live', 'stopped', 'ended', 'failed'] as const;

export const formatDate = (iso: string | undefined) =>
  iso ? new Date(iso).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '—';

export function JourneyList() {
  const { data, error, loading } = useData('journeys', () => listAll<Journey>('/journeys'));
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('all');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'updatedAt', descending: true });
  const [creating, setCreating] = useState(false);

  const counts = useMemo(() => {
    const result: Record<string, number> = { all: data?.length ?? 0 };
    for (const journey of data ?? []) result[journey.status] = (result[journey.status] ?? 0) + 1;
    return result;
  }, [data]);

  const rows = useMemo(() => {
    const words = query.trim().toLowerCase();
    const filtered = (data ?? []).filter((j) => (status === 'all' || j.status === status) && (!words || `${j.name} ${j.description ?? ''}`.toLowerCase().includes(words)));
    const direction = sort.descending ? -1 : 1;
    return filtered.sort((a, b) => {
      const left = String(a[sort.key] ?? '');
      const right = String(b[sort.key] ?? '');
      return (sort.key === 'name' ? left.localeCompare(right, undefined, { sensitivity: 'base' }) : left < right ? -1 : left > right ? 1 : 0) * direction;
    });
  }, [data, query, status, sort]);

  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.descending ? 'descending' : 'ascending') : undefined}>
      <button type="button" className="sort-button" onClick={() => setSort((s) => ({ key, descending: s.key === key ? !s.descending : key === 'updatedAt' }))}>
        {label}
        <span aria-hidden="true" className="sort-arrow">
          {sort.key === key ? (sort.descending ? '▼' : '▲') : ''}
        </span>
      </button>
    </th>
  );

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Customer journeys</h1>
          <p className="muted">Automated campaigns: who enters, what they get, and what happens when they respond.</p>
        </div>
        <button type="button" className="button primary" onClick={() => setCreating(true)}>
          <Icon name="plus" /> New journey
        </button>
      </div>

      <div className="list-toolbar">
        <input type="search" className="input search" aria-label="Search journeys" placeholder="Search journeys" value={query} onChange={(event) => setQuery(event.target.value)} />
        <div role="group" aria-label="Filter by status" className="segmented">
          {STATUSES.map((s) => (
            <button key={s} type="button" aria-pressed={status === s} className={status === s ? 'active' : ''} onClick={() => setStatus(s)}>
              {s === 'all' ? 'All' : s[0]!.toUpperCase() + s.slice(1)} <span className="count">{counts[s] ?? 0}</span>
            </button>
          ))}
        </div>
        <label className="inline-field">
          <span>Sort by</span>
          <select className="input" value={`${sort.key}:${sort.descending ? 'desc' : 'asc'}`} onChange={(event) => {
            const [key, dir] = event.target.value.split(':') as [SortKey, string];
            setSort({ key, descending: dir === 'desc' });
          }}>
            {SORTS.flatMap(({ key, label }) => [
              <option key={`${key}:asc`} value={`${key}:asc`}>{label} (ascending)</option>,
              <option key={`${key}:desc`} value={`${key}:desc`}>{label} (descending)</option>,
            ])}
          </select>
        </label>
      </div>

      {error ? <p className="field-error" role="alert">{errorMessage(error)}</p> : null}
      {loading && !data && <p className="muted">Loading journeys…</p>}

      {data && data.length === 0 && (
        <section className="empty-state" aria-labelledby="empty-title">
          <svg viewBox="0 0 120 60" width="180" height="90" aria-hidden="true">
            <rect x="4" y="20" width="28" height="20" rx="5" fill="#dbeafe" stroke="#2563eb" />
            <rect x="46" y="20" width="28" height="20" rx="5" fill="#ede9fe" stroke="#7c3aed" />
            <rect x="88" y="20" width="28" height="20" rx="5" fill="#dcfce7" stroke="#15803d" />
            <path d="M32 30h14M74 30h14" stroke="#94a3b8" strokeWidth="2" />
          </svg>
          <h2 id="empty-title">No journeys yet</h2>
          <p className="muted">Start from a template such as a welcome series or a newsletter, or draw your own from scratch.</p>
          <button type="button" className="button primary" onClick={() => setCreating(true)}>
            Create your first journey
          </button>
        </section>
      )}

      {data && data.length > 0 && (
        <table className="table" aria-label="Journeys">
          <thead>
            <tr>
              {header('name', 'Name')}
              {header('status', 'Status')}
              <th scope="col">Tiles</th>
              {header('startAt', 'Start')}
              <th scope="col">End</th>
              {header('updatedAt', 'Last modified')}
            </tr>
          </thead>
          <tbody>
            {rows.map((journey) => (
              <tr key={journey.id}>
                <td>
                  <Link to={`/journeys/${encodeURIComponent(journey.id)}`} className="row-link">
                    {journey.name}
                  </Link>
                  {journey.description && <div className="row-sub">{journey.description}</div>}
                </td>
                <td>
                  <StatusBadge status={journey.status} />
                </td>
                <td className="num">{journey.tiles.length}</td>
                <td>{formatDate(journey.startAt)}</td>
                <td>{formatDate(journey.endAt)}</td>
                <td>{formatDate(journey.updatedAt)}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} className="empty-inline">
                  No journey matches these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {creating && <TemplatesDialog onClose={() => setCreating(false)} />}
    </div>
  );
}
