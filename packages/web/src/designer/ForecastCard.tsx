import { useId, useState } from 'react';
import { ruleEventType, type Tile } from '@waymark/core';
import { api, errorMessage } from '../api.ts';
import { readingOrder } from '../journey/graph.ts';
import { tileName, tileTypeInfo } from '../journey/tileTypes.ts';

interface TileForecast {
  entered: number;
  sent?: number;
}

export interface Forecast {
  contacts: number;
  excluded: Record<string, number>;
  tiles: Record<string, TileForecast>;
  days?: { date: string; tiles: Record<string, TileForecast> }[];
}

const HORIZONS = [
  { value: 'P7D', label: '1 week' },
  { value: 'P14D', label: '2 weeks' },
  { value: 'P30D', label: '30 days' },
  { value: 'P90D', label: '90 days' },
];

const number = (value: number) => value.toLocaleString(undefined, { maximumFractionDigits: 1 });

/** Custom event types the journey's triggers wait for: each gets its own assumed rate. */
function customEventTypes(tiles: readonly Tile[]): string[] {
  const types = tiles.flatMap((tile) => (tile.type === 'trigger' ? tile.rules.filter((rule) => !('tile' in rule)).map(ruleEventType) : []));
  return [...new Set(types)];
}

function RateInput({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input narrow" type="number" min={0} max={100} step={1} value={value} onChange={(event) => onChange(event.target.value)} />
    </div>
  );
}

/**
 * The forecast of a draft: expected contacts per tile over a horizon for today's audience, with
 * assumed open, click and event rates, as bars per tile and messages per day (plain SVG), with the
 * numbers also as a table.
 */
export function ForecastCard({ journeyId, tiles }: { journeyId: string; tiles: Tile[] }) {
  const horizonId = useId();
  const [horizon, setHorizon] = useState('P30D');
  const [opened, setOpened] = useState('40');
  const [clicked, setClicked] = useState('10');
  const [eventRates, setEventRates] = useState<Record<string, string>>({});
  const [forecast, setForecast] = useState<Forecast | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const eventTypes = customEventTypes(tiles);
  const share = (percent: string | undefined) => Math.min(1, Math.max(0, (Number(percent) || 0) / 100));

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const rates = { opened: share(opened), clicked: share(clicked), events: Object.fromEntries(eventTypes.map((type) => [type, share(eventRates[type])])) };
      setForecast(await api.post<Forecast>(`/journeys/${encodeURIComponent(journeyId)}/forecast`, { horizon, rates, byDay: true }));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const ordered = readingOrder(tiles);
  const max = Math.max(1, ...ordered.map((tile) => forecast?.tiles[tile.id]?.entered ?? 0));
  const barHeight = 26;
  const labelWidth = 220;
  const chartWidth = 720;
  const days = forecast?.days ?? [];
  const sentOn = (day: (typeof days)[number]) => Object.values(day.tiles).reduce((sum, tile) => sum + (tile.sent ?? 0), 0);
  const maxSent = Math.max(1, ...days.map(sentOn));

  return (
    <section aria-labelledby="forecast-title" className="card">
      <h2 id="forecast-title">Forecast</h2>
      <p className="muted small">Expected contacts per tile for today’s audience of the saved journey, with the rates you assume. Nothing is sent.</p>
      <div className="forecast-controls">
        <div className="field">
          <label htmlFor={horizonId}>Horizon</label>
          <select id={horizonId} className="input" value={horizon} onChange={(event) => setHorizon(event.target.value)}>
            {HORIZONS.map((option) => (
              <option key={option.value} value={option.value}>{option.label}</option>
            ))}
          </select>
        </div>
        <RateInput label="Open rate (%)" value={opened} onChange={setOpened} />
        <RateInput label="Click rate (%)" value={clicked} onChange={setClicked} />
        {eventTypes.map((type) => (
          <RateInput key={type} label={`${type} rate (%)`} value={eventRates[type] ?? '0'} onChange={(value) => setEventRates((rates) => ({ ...rates, [type]: value }))} />
        ))}
        <button type="button" className="button primary" onClick={() => void run()} disabled={busy}>{busy ? 'Forecasting…' : 'Forecast'}</button>
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      {forecast && (
        <>
          <p role="status">
            {number(forecast.contacts)} contacts would enter{Object.values(forecast.excluded).some((n) => n > 0) ? `; excluded: ${Object.entries(forecast.excluded).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${number(n)}`).join(', ')}` : ''}.
          </p>
          <svg className="funnel" role="img" aria-labelledby="forecast-title forecast-desc" viewBox={`0 0 ${chartWidth} ${ordered.length * (barHeight + 8) + 8}`} width="100%">
            <desc id="forecast-desc">{ordered.map((tile) => `${tileName(tile)}: ${number(forecast.tiles[tile.id]?.entered ?? 0)} expected`).join('; ')}</desc>
            {ordered.map((tile, index) => {
              const expected = forecast.tiles[tile.id];
              const entered = expected?.entered ?? 0;
              const width = ((chartWidth - labelWidth - 120) * entered) / max;
              const y = 8 + index * (barHeight + 8);
              return (
                <g key={tile.id}>
                  <text x={labelWidth - 10} y={y + barHeight / 2 + 5} textAnchor="end" className="funnel-label">{tileName(tile)}</text>
                  <rect x={labelWidth} y={y} width={chartWidth - labelWidth - 120} height={barHeight} rx="6" fill="#f1f5f9" />
                  <rect x={labelWidth} y={y} width={Math.max(width, entered > 0 ? 4 : 0)} height={barHeight} rx="6" fill={tileTypeInfo(tile.type).color} opacity="0.85" />
                  <text x={labelWidth + Math.max(width, 0) + 8} y={y + barHeight / 2 + 5} className="funnel-value">
                    {number(entered)}{expected?.sent !== undefined ? ` (${number(expected.sent)} sent)` : ''}
                  </text>
                </g>
              );
            })}
          </svg>
          {days.length > 0 && (
            <svg className="timeline-chart" role="img" aria-label="Messages sent per day" viewBox={`0 0 ${chartWidth} 160`} width="100%">
              <desc>{days.map((day) => `${day.date}: ${number(sentOn(day))} sent`).join('; ')}</desc>
              {days.map((day, index) => {
                const slot = (chartWidth - 60) / days.length;
                const height = (120 * sentOn(day)) / maxSent;
                return (
                  <g key={day.date}>
                    <rect x={40 + index * slot + slot * 0.15} y={130 - height} width={slot * 0.7} height={height} fill="#2563eb" />
                    <text x={40 + index * slot + slot / 2} y={150} textAnchor="middle" className="funnel-value">{day.date.slice(5)}</text>
                  </g>
                );
              })}
            </svg>
          )}
          <details>
            <summary>Show as a table</summary>
            <table className="table compact" aria-label="Forecast by tile">
              <thead>
                <tr><th scope="col">Tile</th><th scope="col">Expected contacts</th><th scope="col">Expected sent</th></tr>
              </thead>
              <tbody>
                {ordered.map((tile) => (
                  <tr key={tile.id}>
                    <th scope="row">{tileName(tile)}</th>
                    <td className="num">{number(forecast.tiles[tile.id]?.entered ?? 0)}</td>
                    <td className="num">{forecast.tiles[tile.id]?.sent === undefined ? '—' : number(forecast.tiles[tile.id]!.sent!)}</td>
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
