import type { Tile } from '@waymark/core';
import { readingOrder } from '../journey/graph.ts';
import { tileName, tileTypeInfo } from '../journey/tileTypes.ts';
import type { JourneyInsights, Milestone } from '../journey/types.ts';

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
};

const pct = (part: number | undefined, whole: number | undefined) => (whole ? `${Math.round(((part ?? 0) / whole) * 1000) / 10}%` : '—');

function describe(detail: unknown): string {
  if (!detail || typeof detail !== 'object') return '';
  const entries = Object.entries(detail as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  return entries.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
}

export function InsightsTab({ tiles, insights, milestones, status }: { tiles: Tile[]; insights: JourneyInsights | undefined; milestones: Milestone[] | undefined; status: string }) {
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
              <tr><th scope="col">Email tile</th><th scope="col">Sent</th><th scope="col">Delivered</th><th scope="col">Opened</th><th scope="col">Clicked</th><th scope="col">Open rate</th><th scope="col">Click rate</th></tr>
            </thead>
            <tbody>
              {emails.map((tile) => {
                const t = insights?.tiles[tile.id];
                return (
                  <tr key={tile.id}>
                    <th scope="row">{tileName(tile)}</th>
                    <td className="num">{t?.sent ?? 0}</td>
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
