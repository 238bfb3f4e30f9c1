import { useId } from 'react';

const UNITS = [
  { unit: 'M', label: 'minutes', time: true },
  { unit: 'H', label: 'hours', time: true },
  { unit: 'D', label: 'days', time: false },
  { unit: 'W', label: 'weeks', time: false },
] as const;

type Unit = (typeof UNITS)[number]['unit'];

export function parseDuration(iso: string): { amount: number; unit: Unit } | null {
  const match = /^P(?:(\d+)W|(\d+)D|T(\d+)H|T(\d+)M)$/.exec(iso);
  if (!match) return null;
  if (match[1]) return { amount: Number(match[1]), unit: 'W' };
  if (match[2]) return { amount: Number(match[2]), unit: 'D' };
  if (match[3]) return { amount: Number(match[3]), unit: 'H' };
  return { amount: Number(match[4]), unit: 'M' };
}

export function formatDuration(amount: number, unit: Unit): string {
  return unit === 'H' || unit === 'M' ? `PT${amount}${unit}` : `P${amount}${unit}`;
}

/** "3 days" for P3D, or the ISO text itself when it is not that simple. */
export function describeDuration(iso: string): string {
  const parsed = parseDuration(iso);
  if (!parsed) return iso;
  const label = UNITS.find((u) => u.unit === parsed.unit)!.label;
  return `${parsed.amount} ${parsed.amount === 1 ? label.slice(0, -1) : label}`;
}

/** An ISO-8601 duration as a number and a unit; anything else is edited as ISO text. */
export function DurationInput({ label, value, onChange, disabled }: { label: string; value: string; onChange: (iso: string) => void; disabled?: boolean }) {
  const id = useId();
  const parsed = parseDuration(value);
  if (!parsed) {
    return (
      <div className="field">
        <label htmlFor={id}>{label} (ISO-8601)</label>
        <input id={id} className="input" value={value} disabled={disabled} onChange={(event) => onChange(event.target.value)} />
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} className="input narrow" type="number" min={1} value={parsed.amount} disabled={disabled} onChange={(event) => onChange(formatDuration(Math.max(1, Math.round(Number(event.target.value) || 1)), parsed.unit))} />
        <select className="input" aria-label={`${label} unit`} value={parsed.unit} disabled={disabled} onChange={(event) => onChange(formatDuration(parsed.amount, event.target.value as Unit))}>
          {UNITS.map((u) => (
            <option key={u.unit} value={u.unit}>{u.label}</option>
          ))}
        </select>
      </div>
    </div>
  );
}
