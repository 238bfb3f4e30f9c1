import type { Tile } from '@waymark/core';
import { useState } from 'react';
import { api, listAll } from '../api.ts';
import { useData } from '../useData.ts';
import { readingOrder } from '../journey/graph.ts';
import { tileName, tileTypeInfo } from '../journey/tileTypes.ts';
import type { JourneyInsights, Milestone } from '../journey/types.ts';
import { ForecastCard } from './ForecastCard.tsx';

const MILESTONE_LABELS: Record<string, string> = {
  created: 'Created',
  updated: 'Saved',
  checked: 'Checked for errors',
  wentLive: 'Went live',
  started: 'Started processing',
  iterationStarted: 'Iteration started',
  stopped: 'Stopped',
  ended: 'Ended',
  extended: 'Schedule extended',
  versionPublished: 'Version published',
};

const pct = (part: number | undefined, whole: number | undefined) => (whole ? `${Math.round(((part ?? 0) / whole) * 1000) / 10}%` : '—');

function describe(detail: unknown): string {
  if (!detail || typeof detail !== 'object') return '';
  const entries = Object.entries(detail as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  return entries.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
}

export interface TimelinePoint {
  at: string;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
}

const SERIES = [
  { key: 'sent', label: 'Sent', color: '#2563eb' },
  { key: 'opened', label: 'Opened', color: '#16a34a' },
  { key: 'clicked', label: 'Clicked', color: '#c2410c' },
] as const;

/** Sends, opens and clicks over time: a plain SVG line chart, with the same numbers as a table. */
function ActivityChart({ journeyId }: { journeyId: string }) {
  const [bucket, setBucket] = useState<'hour' | 'day'>('day');
  const timeline = useData<TimelinePoint[]>(`timeline:${journeyId}:${bucket}`, () => api.get<{ items: TimelinePoint[] }>(`/journeys/${encodeURIComponent(journeyId)}/timeline?bucket=${bucket}`).then((p) => p.items), 10_000);
  const points = timeline.data ?? [];
  const width = 720;
  const height = 220;
  const pad = { left: 44, right: 16, top: 12, bottom: 28 };
  const max = Math.max(1, ...points.flatMap((p) => SERIES.map((s) => p[s.key])));
  const x = (i: number) => pad.left + (points.length <= 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number) => height - pad.bottom - (v * (height - pad.top - pad.bottom)) / max;
  const label = (at: string) => (bucket === 'day' ? at.slice(0, 10) : `${at.slice(0, 10)} ${at.slice(11, 16)}`);
  const summary = points.map((p) => `${label(p.at)}: ${p.sent} sent, ${p.opened} opened, ${p.clicked} clicked`).join('; ');
  return (
    <section aria-labelledby="activity-title" className="card">
      <div className="card-header">
        <h2 id="activity-title">Email activity over time</h2>
        <label>
          Per{' '}
          <select className="input" aria-label="Time bucket" value={bucket} onChange={(event) => setBucket(event.target.value as 'hour' | 'day')}>
            <option value="day">day</option>
            <option value="hour">hour</option>
          </select>
        </label>
      </div>
      {!timeline.data ? (
        <p className="muted">Loading…</p>
      ) : points.length === 0 ? (
        <p className="muted">No email activity yet.</p>
      ) : (
        <>
          <svg className="timeline-chart" role="img" aria-labelledby="activity-title activity-desc" viewBox={`0 0 ${width} ${height}`} width="100%">
            <desc id="activity-desc">{summary}</desc>
            <line x1={pad.left} y1={height - pad.bottom} x2={width - pad.right} y2={height - pad.bottom} stroke="#cbd5e1" />
            <text x={pad.left - 6} y={y(max) + 4} textAnchor="end" className="funnel-value">{max}</text>
            <text x={pad.left - 6} y={height - pad.bottom + 4} textAnchor="end" className="funnel-value">0</text>
            {points.length > 0 && <text x={x(0)} y={height - 8} textAnchor={points.length === 1 ? 'middle' : 'start'} className="funnel-value">{label(points[0]!.at)}</text>}
            {points.length > 1 && <text x={x(points.length - 1)} y={height - 8} textAnchor="end" className="funnel-value">{label(points[points.length - 1]!.at)}</text>}
            {SERIES.map((s) => (
              <g key={s.key}>
                <polyline fill="none" stroke={s.color} strokeWidth="2" points={points.map((p, i) => `${x(i)},${y(p[s.key])}`).join(' ')} />
                {points.map((p, i) => <circle key={p.at} cx={x(i)} cy={y(p[s.key])} r="3" fill={s.color} />)}
              </g>
            ))}
          </svg>
          <ul className="chart-legend" aria-hidden="true">
            {SERIES.map((s) => (
              <li key={s.key}><span className="legend-swatch" style={{ background: s.color }} /> {s.label}</li>
            ))}
          </ul>
          <details>
            <summary>Show as a table</summary>
            <table className="table compact" aria-label="Email activity over time">
              <thead>
                <tr><th scope="col">{bucket === 'day' ? 'Day (UTC)' : 'Hour (UTC)'}</th><th scope="col">Sent</th><th scope="col">Delivered</th><th scope="col">Opened</th><th scope="col">Clicked</th></tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.at}>
                    <th scope="row">{label(p.at)}</th>
                    <td className="num">{p.sent}</td>
                    <td className="num">{p.delivered}</td>
                    <td className="num">{p.opened}</td>
                    <td className="num">{p.clicked}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}

export function InsightsTab({ journeyId, tiles, insights: allInsights, milestones, status }: { journeyId: string; tiles: Tile[]; insights: JourneyInsights | undefined; milestones: Milestone[] | undefined; status: string }) {
  const [accountId, setAccountId] = useState('');
  const accounts = useData<{ id: string; name: string }[]>(status === 'draft' ? null : 'accounts', () => listAll<{ id: string; name: string }>('/accounts', 1000).then((list) => list.sort((a, b) => a.name.localeCompare(b.name))).catch(() => []));
  const filtered = useData<JourneyInsights>(accountId ? `insights:${journeyId}:${accountId}` : null, () => api.get(`/journeys/${encodeURIComponent(journeyId)}/insights?accountId=${encodeURIComponent(accountId)}`), status === 'live' ? 5000 : undefined);
  const insights = accountId ? filtered.data : allInsights;
  const ordered = readingOrder(tiles);
  const max = Math.max(1, ...ordered.map((tile) => insights?.tiles[tile.id]?.entered ?? 0));
  const emails = ordered.filter((tile) => tile.type === 'email');
  const contacts = insights?.contacts;
  const excluded = contacts ? Object.values(contacts.excluded).reduce((a, b) => a + b, 0) : 0;
  const barHeight = 30;
  const labelWidth = 220;
  const chartWidth = 720;

  return (
    <div className="insights">
      {status === 'draft' && <p className="notice">This journey has not gone live yet: insights appear once contacts start to move through it.</p>}
      {status === 'draft' && <ForecastCard journeyId={journeyId} tiles={tiles} />}
      {status !== 'draft' && (
        <div className="insights-filter">
          <label htmlFor="insights-account">Account</label>{' '}
          <select id="insights-account" className="input" value={accountId} onChange={(event) => setAccountId(event.target.value)}>
            <option value="">All accounts</option>
            {(accounts.data ?? []).map((account) => (
              <option key={account.id} value={account.id}>{account.name}</option>
            ))}
          </select>
        </div>
      )}
      <section aria-labelledby="kpi-title" className="card">
        <h2 id="kpi-title">Contacts</h2>
        <dl className="kpis">
          <div><dt>Entered</dt><dd>{(contacts?.entered ?? 0).toLocaleString()}</dd></div>
          <div><dt>Active</dt><dd>{(contacts?.active ?? 0).toLocaleString()}</dd></div>
          <div><dt>Completed</dt><dd>{(contacts?.completed ?? 0).toLocaleString()}</dd></div>
          <div><dt>Excluded</dt><dd>{excluded.toLocaleString()}</dd></div>
        </dl>
        {contacts && excluded > 0 && (
          <p className="muted small">
            Excluded for {Object.entries(contacts.excluded).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} (${n})`).join(', ')}.
          </p>
        )}
      </section>

      <section aria-labelledby="funnel-title" className="card">
        <h2 id="funnel-title">Funnel by tile</h2>
        {ordered.length === 0 ? (
          <p className="muted">No tiles yet.</p>
        ) : (
          <svg className="funnel" role="img" aria-labelledby="funnel-title funnel-desc" viewBox={`0 0 ${chartWidth} ${ordered.length * (barHeight + 8) + 8}`} width="100%">
            <desc id="funnel-desc">{ordered.map((tile) => `${tileName(tile)}: ${insights?.tiles[tile.id]?.entered ?? 0} entered`).join('; ')}</desc>
            {ordered.map((tile, index) => {
              const entered = insights?.tiles[tile.id]?.entered ?? 0;
              const width = ((chartWidth - labelWidth - 70) * entered) / max;
              const y = 8 + index * (barHeight + 8);
              return (
                <g key={tile.id}>
                  <text x={labelWidth - 10} y={y + barHeight / 2 + 5} textAnchor="end" className="funnel-label">{tileName(tile)}</text>
                  <rect x={labelWidth} y={y} width={chartWidth - labelWidth - 70} height={barHeight} rx="6" fill="#f1f5f9" />
                  <rect x={labelWidth} y={y} width={Math.max(width, entered > 0 ? 4 : 0)} height={barHeight} rx="6" fill={tileTypeInfo(tile.type).color} />
                  <text x={labelWidth + Math.max(width, 0) + 8} y={y + barHeight / 2 + 5} className="funnel-value">{entered.toLocaleString()}</text>
                </g>
              );
            })}
          </svg>
        )}
      </section>

      {emails.length > 0 && (
        <section aria-labelledby="email-title" className="card">
          <h2 id="email-title">Email performance</h2>
          <table className="table compact">
            <thead>
              <tr><th scope="col">Email tile</th><th scope="col">Queued</th><th scope="col">Sent</th><th scope="col">Failed</th><th scope="col">Delivered</th><th scope="col">Opened</th><th scope="col">Clicked</th><th scope="col">Open rate</th><th scope="col">Click rate</th></tr>
            </thead>
            <tbody>
              {emails.map((tile) => {
                const t = insights?.tiles[tile.id];
                return (
                  <tr key={tile.id}>
                    <th scope="row">{tileName(tile)}</th>
                    <td className="num">{t?.queued ?? 0}</td>
                    <td className="num">{t?.sent ?? 0}</td>
                    <td className="num">{t?.failed ?? 0}</td>
                    <td className="num">{t?.delivered ?? 0}</td>
                    <td className="num">{t?.opened ?? 0}</td>
                    <td className="num">{t?.clicked ?? 0}</td>
                    <td className="num">{pct(t?.opened, t?.sent)}</td>
                    <td className="num">{pct(t?.clicked, t?.sent)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}

      {status !== 'draft' && <ActivityChart journeyId={journeyId} />}

      <section aria-labelledby="milestones-title" className="card">
        <h2 id="milestones-title">Milestones</h2>
        {!milestones ? (
          <p className="muted">Loading…</p>
        ) : milestones.length === 0 ? (
          <p className="muted">Nothing has happened yet.</p>
        ) : (
          <ol aria-label="Milestones" className="milestones">
            {[...milestones].reverse().map((m, index) => (
              <li key={`${m.at}-${index}`}>
                <span className={`milestone-dot m-${m.kind}`} aria-hidden="true" />
                <strong>{MILESTONE_LABELS[m.kind] ?? m.kind}</strong>
                <time dateTime={m.at}>{new Date(m.at).toLocaleString()}</time>
                {describe(m.detail) && <span className="muted small">{describe(m.detail)}</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
