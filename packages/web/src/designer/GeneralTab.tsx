import { DateTime } from 'luxon';
import { useId, useMemo } from 'react';
import type { ConsentLevel, JourneyDefinition } from '@waymark/core';
import { RecordLookup } from '../components/RecordLookup.tsx';
import { useRecords } from '../records.tsx';

const CONSENT: [ConsentLevel | '', string][] = [
  ['', 'No minimum'],
  ['consentGiven', 'Consent given'],
  ['transactional', 'Transactional'],
  ['subscriptions', 'Subscriptions'],
  ['marketing', 'Marketing'],
  ['profiling', 'Profiling'],
];

const toLocal = (iso: string, zone: string) => {
  const parsed = DateTime.fromISO(iso, { zone });
  return parsed.isValid ? parsed.toFormat("yyyy-LL-dd'T'HH:mm") : '';
};
const fromLocal = (local: string, zone: string) => DateTime.fromISO(local, { zone }).toISO({ suppressMilliseconds: true }) ?? local;

export function GeneralTab({ def, readOnly, onChange, status, errorsByField }: { def: JourneyDefinition; readOnly: boolean; onChange: (patch: Partial<JourneyDefinition>, coalesce?: string) => void; status: string; errorsByField: Map<string, string[]> }) {
  const id = useId();
  const { records } = useRecords();
  const zones = useMemo(() => {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    return all.includes(def.timeZone) ? all : [def.timeZone, ...all];
  }, [def.timeZone]);
  const fieldErrors = (field: string) => errorsByField.get(field)?.map((message) => <p key={message} className="field-error">{message}</p>);
  const days = useMemo(() => {
    const start = DateTime.fromISO(def.startAt);
    const end = DateTime.fromISO(def.endAt);
    return start.isValid && end.isValid ? Math.round(end.diff(start, 'days').days * 10) / 10 : null;
  }, [def.startAt, def.endAt]);

  return (
    <form className="general" onSubmit={(event) => event.preventDefault()}>
      <fieldset disabled={readOnly} className="general-grid">
        <legend className="visually-hidden">Journey settings</legend>
        <section className="card">
          <h2>About</h2>
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} className="input" value={def.name} onChange={(event) => onChange({ name: event.target.value }, 'name')} />
            {fieldErrors('name')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-description`}>Description</label>
            <textarea id={`${id}-description`} className="input" rows={3} value={def.description ?? ''} onChange={(event) => onChange({ description: event.target.value }, 'description')} />
          </div>
          <p className="muted small">Status: {status}</p>
        </section>

        <section className="card">
          <h2>Audience</h2>
          <fieldset className="radio-row">
            <legend>Target</legend>
            <label><input type="radio" name={`${id}-target`} checked={def.target === 'contacts'} onChange={() => onChange({ target: 'contacts' })} /> Contacts</label>
            <label><input type="radio" name={`${id}-target`} checked={def.target === 'accounts'} onChange={() => onChange({ target: 'accounts' })} /> Accounts</label>
          </fieldset>
          <div className="field">
            <label htmlFor={`${id}-consent`}>Minimum consent</label>
            <select id={`${id}-consent`} className="input" value={def.minimumConsent ?? ''} onChange={(event) => onChange({ minimumConsent: (event.target.value || undefined) as ConsentLevel | undefined })}>
              {CONSENT.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-scope`}>Scope</label>
            <select id={`${id}-scope`} className="input" value={def.scope} onChange={(event) => onChange({ scope: event.target.value as JourneyDefinition['scope'] })}>
              <option value="organization">Organization</option>
              <option value="businessUnit">Business unit</option>
            </select>
          </div>
          <RecordLookup kind="segment" label="Suppression segment" value={def.suppressionSegmentId} disabled={readOnly} onChange={(suppressionSegmentId) => onChange({ suppressionSegmentId })} />
          {fieldErrors('suppressionSegmentId')}
        </section>

        <section className="card">
          <h2>Schedule</h2>
          <div className="field">
            <label htmlFor={`${id}-start`}>Start date and time</label>
            <input id={`${id}-start`} type="datetime-local" className="input" value={toLocal(def.startAt, def.timeZone)} onChange={(event) => event.target.value && onChange({ startAt: fromLocal(event.target.value, def.timeZone) })} />
            {fieldErrors('startAt')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-end`}>End date and time</label>
            <input id={`${id}-end`} type="datetime-local" className="input" value={toLocal(def.endAt, def.timeZone)} onChange={(event) => event.target.value && onChange({ endAt: fromLocal(event.target.value, def.timeZone) })} />
            {fieldErrors('endAt')}
            {days !== null && <p className="hint">Runs for {days} days.</p>}
          </div>
          <div className="field">
            <label htmlFor={`${id}-zone`}>Time zone</label>
            <select
              id={`${id}-zone`}
              className="input"
              value={def.timeZone}
              onChange={(event) => {
                // Keep the wall-clock times the marketer typed; read them in the new zone.
                const zone = event.target.value;
                onChange({ timeZone: zone, startAt: fromLocal(toLocal(def.startAt, def.timeZone), zone), endAt: fromLocal(toLocal(def.endAt, def.timeZone), zone) });
              }}
            >
              {zones.map((zone) => <option key={zone} value={zone}>{zone}</option>)}
            </select>
          </div>
          <label className="check">
            <input type="checkbox" checked={!!def.recurrence} onChange={(event) => onChange({ recurrence: event.target.checked ? { intervalDays: 7, count: 4 } : null })} /> Is recurring
          </label>
          {def.recurrence && (
            <div className="row">
              <div className="field">
                <label htmlFor={`${id}-interval`}>Recurrence interval (days)</label>
                <input id={`${id}-interval`} type="number" min={1} className="input narrow" value={def.recurrence.intervalDays} onChange={(event) => onChange({ recurrence: { ...def.recurrence!, intervalDays: Math.max(1, Number(event.target.value) || 1) } })} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-count`}>Recurrence count</label>
                <input id={`${id}-count`} type="number" min={1} className="input narrow" value={def.recurrence.count} onChange={(event) => onChange({ recurrence: { ...def.recurrence!, count: Math.max(1, Number(event.target.value) || 1) } })} />
              </div>
            </div>
          )}
          {fieldErrors('recurrence')}
        </section>

        <section className="card">
          <h2>Content settings</h2>
          <div className="field">
            <label htmlFor={`${id}-content`}>Content settings</label>
            <select id={`${id}-content`} className="input" value={def.contentSettingsId ?? ''} onChange={(event) => onChange({ contentSettingsId: event.target.value || null })}>
              <option value="">The default content settings</option>
              {records.contentSettings.map((c) => <option key={c.id} value={c.id}>{c.name}{c.isDefault ? ' (default)' : ''}</option>)}
            </select>
            <p className="hint">Postal address and subscription center link used by every email of this journey.</p>
            {fieldErrors('contentSettingsId')}
          </div>
        </section>
      </fieldset>
    </form>
  );
}
