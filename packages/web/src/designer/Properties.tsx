import { useId, type ReactNode } from 'react';
import { assertNever, type Tile, type TriggerRule, type Weekday } from '@waymark/core';
import { DurationInput } from '../components/DurationInput.tsx';
import { QueryBuilder } from '../components/QueryBuilder.tsx';
import { RecordLookup } from '../components/RecordLookup.tsx';
import { TileIcon } from '../components/TileIcon.tsx';
import { upstreamEmailTiles } from '../journey/graph.ts';
import { tileName, tileTypeInfo } from '../journey/tileTypes.ts';
import type { TileOf } from '../journey/types.ts';

const WEEKDAYS: { day: Weekday; label: string }[] = [
  { day: 'mon', label: 'Mon' },
  { day: 'tue', label: 'Tue' },
  { day: 'wed', label: 'Wed' },
  { day: 'thu', label: 'Thu' },
  { day: 'fri', label: 'Fri' },
  { day: 'sat', label: 'Sat' },
  { day: 'sun', label: 'Sun' },
];

function TextField({ label, value, onChange, hint, placeholder }: { label: string; value: string; onChange: (value: string) => void; hint?: string; placeholder?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input" value={value} placeholder={placeholder} onChange={(event) => onChange(event.target.value)} />
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

function SelectField<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: [T, string][]; onChange: (value: T) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} className="input" value={value} onChange={(event) => onChange(event.target.value as T)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>{text}</option>
        ))}
      </select>
    </div>
  );
}

function Radios<T extends string>({ legend, value, options, onChange }: { legend: string; value: T; options: [T, string][]; onChange: (value: T) => void }) {
  const name = useId();
  return (
    <fieldset className="radio-row">
      <legend>{legend}</legend>
      {options.map(([v, text]) => (
        <label key={v}>
          <input type="radio" name={name} checked={value === v} onChange={() => onChange(v)} /> {text}
        </label>
      ))}
    </fieldset>
  );
}

function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} /> {label}
    </label>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="prop-section">
      <h3>{title}</h3>
      {children}
    </section>
  );
}

export interface PropertiesProps {
  tile: Tile;
  tiles: Tile[];
  errors: string[];
  readOnly: boolean;
  attributes: string[];
  onChange: (tile: Tile, coalesce?: string) => void;
  onDelete: () => void;
}

export function Properties({ tile, tiles, errors, readOnly, attributes, onChange, onDelete }: PropertiesProps) {
  const info = tileTypeInfo(tile.type);
  const set = <T extends Tile>(patch: Partial<T>, coalesce?: string) => onChange({ ...tile, ...patch } as Tile, coalesce);
  return (
    <div className="properties">
      <div className="prop-header" style={{ ['--tile-color' as string]: info.color }}>
        <TileIcon type={tile.type} size={18} />
        <div>
          <h2 className="prop-title">{tileName(tile)}</h2>
          <p className="muted small">{info.label} tile · {info.hint}</p>
        </div>
      </div>
      {errors.length > 0 && (
        <ul className="prop-errors" aria-label="Problems with this tile">
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      <fieldset disabled={readOnly} className="prop-fields">
        <legend className="visually-hidden">{info.label} tile properties</legend>
        <TextField label="Tile name" value={tile.name ?? ''} onChange={(name) => set({ name }, `name:${tile.id}`)} />
        <TypeFields tile={tile} tiles={tiles} set={set} readOnly={readOnly} attributes={attributes} />
        {!readOnly && (
          <button type="button" className="button danger small" onClick={onDelete}>
            Delete tile
          </button>
        )}
      </fieldset>
    </div>
  );
}

function TypeFields({ tile, tiles, set, readOnly, attributes }: { tile: Tile; tiles: Tile[]; set: (patch: Partial<Tile>, coalesce?: string) => void; readOnly: boolean; attributes: string[] }) {
  switch (tile.type) {
    case 'segmentGroup':
      return <SegmentGroupFields tile={tile} set={set} readOnly={readOnly} />;
    case 'formSubmitted':
      return <RecordLookup kind="form" label="Form" value={tile.formId || null} onChange={(formId) => set({ formId: formId ?? '' })} disabled={readOnly} />;
    case 'email':
      return <RecordLookup kind="email" label="Email" value={tile.emailId} onChange={(emailId) => set({ emailId })} disabled={readOnly} />;
    case 'scheduler':
      return <SchedulerFields tile={tile} set={set} />;
    case 'trigger':
      return <TriggerFields tile={tile} tiles={tiles} set={set} readOnly={readOnly} />;
    case 'splitter':
      return <SplitterFields tile={tile} set={set} />;
    case 'condition':
      return (
        <Section title="Condition">
          <p className="hint">Contacts who match go down the true path at once; the others take the false path.</p>
          <QueryBuilder value={tile.query} onChange={(query) => set({ query }, `query:${tile.id}`)} disabled={readOnly} attributes={attributes} />
        </Section>
      );
    case 'activity':
      return (
        <>
          <SelectField label="Activity type" value={tile.activityType} options={[['task', 'Task'], ['phoneCall', 'Phone call'], ['appointment', 'Appointment']]} onChange={(activityType) => set({ activityType })} />
          <TextField label="Subject" value={tile.subject} onChange={(subject) => set({ subject }, `subject:${tile.id}`)} />
          <Check label="Set a due date" checked={tile.dueIn !== undefined} onChange={(on) => set(on ? { dueIn: 'P2D' } : ({ dueIn: undefined } as Partial<Tile>))} />
          {tile.dueIn !== undefined && <DurationInput label="Due in" value={tile.dueIn} onChange={(dueIn) => set({ dueIn })} disabled={readOnly} />}
          <SelectField label="Assign to" value={tile.assignTo} options={[['journeyOwner', 'Journey owner'], ['contactOwner', 'Contact owner'], ['accountOwner', 'Account owner']]} onChange={(assignTo) => set({ assignTo })} />
          <Check label="One per account" checked={tile.perAccount} onChange={(perAccount) => set({ perAccount })} />
        </>
      );
    case 'launchWorkflow':
      return (
        <>
          <RecordLookup kind="workflow" label="Workflow" value={tile.workflowId} onChange={(workflowId) => set({ workflowId })} disabled={readOnly} />
          <Check label="Once per account" checked={tile.perAccount} onChange={(perAccount) => set({ perAccount })} />
        </>
      );
    case 'createLead':
      return (
        <>
          <TextField label="Topic" value={tile.topic ?? ''} onChange={(topic) => set(topic ? { topic } : ({ topic: undefined } as Partial<Tile>), `topic:${tile.id}`)} />
          <Check label="Lead for the account instead of the contact" checked={tile.perAccount} onChange={(perAccount) => set({ perAccount })} />
        </>
      );
    default:
      return assertNever(tile);
  }
}

function SegmentGroupFields({ tile, set, readOnly }: { tile: TileOf<'segmentGroup'>; set: (patch: Partial<Tile>) => void; readOnly: boolean }) {
  const segments = tile.segments;
  const setSegments = (next: typeof segments) => set({ segments: next });
  return (
    <>
      <Radios legend="Combine" value={tile.combine} options={[['union', 'Union: in any segment'], ['intersection', 'Intersection: in every segment']]} onChange={(combine) => set({ combine })} />
      <Section title="Segments">
        {segments.length === 0 && <p className="hint">Add the segments or subscription lists whose contacts enter this journey.</p>}
        <ol className="source-list">
          {segments.map((source, index) => (
            <li key={index} className="source-row">
              <SelectField
                label={`Source ${index + 1}`}
                value={source.source}
                options={[['segment', 'Segment'], ['subscriptionList', 'Subscription list']]}
                onChange={(kind) => setSegments(segments.map((s, i) => (i === index ? (kind === 'segment' ? { source: 'segment', segmentId: '', mode: 'include' } : { source: 'subscriptionList', listId: '', mode: 'include' }) : s)))}
              />
              {source.source === 'segment' ? (
                <>
                  <RecordLookup kind="segment" label={`Segment ${index + 1}`} value={source.segmentId || null} disabled={readOnly} onChange={(segmentId) => setSegments(segments.map((s, i) => (i === index ? { ...source, segmentId: segmentId ?? '' } : s)))} />
                  <SelectField label={`Segment ${index + 1} mode`} value={source.mode} options={[['include', 'Include'], ['exclude', 'Exclude']]} onChange={(mode) => setSegments(segments.map((s, i) => (i === index ? { ...source, mode } : s)))} />
                </>
              ) : (
                <RecordLookup kind="subscriptionList" label={`Subscription list ${index + 1}`} value={source.listId || null} disabled={readOnly} onChange={(listId) => setSegments(segments.map((s, i) => (i === index ? { ...source, listId: listId ?? '' } : s)))} />
              )}
              <button type="button" className="link-button" onClick={() => setSegments(segments.filter((_, i) => i !== index))}>
                Remove source {index + 1}
              </button>
            </li>
          ))}
        </ol>
        <button type="button" className="button small" onClick={() => setSegments([...segments, { source: 'segment', segmentId: '', mode: 'include' }])}>
          Add segment
        </button>
      </Section>
    </>
  );
}

function SchedulerFields({ tile, set }: { tile: TileOf<'scheduler'>; set: (patch: Partial<Tile>) => void }) {
  const isFor = 'for' in tile.wait;
  const id = useId();
  return (
    <>
      <Radios legend="Wait" value={isFor ? 'for' : 'until'} options={[['for', 'For a time'], ['until', 'Until a date and time']]} onChange={(kind) => set({ wait: kind === 'for' ? { for: 'P1D' } : { until: new Date(Date.now() + 86_400_000).toISOString().slice(0, 16) } })} />
      {'for' in tile.wait ? (
        <DurationInput label="Wait for" value={tile.wait.for} onChange={(value) => set({ wait: { for: value } })} />
      ) : (
        <div className="field">
          <label htmlFor={id}>Wait until (journey time zone)</label>
          <input id={id} type="datetime-local" className="input" value={tile.wait.until.slice(0, 16)} onChange={(event) => set({ wait: { until: event.target.value } })} />
        </div>
      )}
      <Check label="Release only within a time window" checked={!!tile.window} onChange={(on) => set(on ? { window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' } } : ({ window: undefined } as Partial<Tile>))} />
      {tile.window && (
        <Section title="Time window">
          <fieldset className="day-row">
            <legend>Days</legend>
            {WEEKDAYS.map(({ day, label }) => (
              <label key={day} className="day">
                <input
                  type="checkbox"
                  checked={tile.window!.days.includes(day)}
                  onChange={(event) => {
                    const days = event.target.checked ? [...tile.window!.days, day] : tile.window!.days.filter((d) => d !== day);
                    if (days.length > 0) set({ window: { ...tile.window!, days: WEEKDAYS.map((w) => w.day).filter((d) => days.includes(d)) } });
                  }}
                />
                {label}
              </label>
            ))}
          </fieldset>
          <div className="row">
            <TimeField label="From" value={tile.window.from} onChange={(from) => set({ window: { ...tile.window!, from } })} />
            <TimeField label="To" value={tile.window.to} onChange={(to) => set({ window: { ...tile.window!, to } })} />
          </div>
        </Section>
      )}
    </>
  );
}

function TimeField({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="time" className="input" value={value} onChange={(event) => event.target.value && onChange(event.target.value)} />
    </div>
  );
}

type RuleKind = 'email' | 'form' | 'event';
const ruleKind = (rule: TriggerRule): RuleKind => ('tile' in rule ? 'email' : 'formId' in rule ? 'form' : 'event');

function TriggerFields({ tile, tiles, set, readOnly }: { tile: TileOf<'trigger'>; tiles: Tile[]; set: (patch: Partial<Tile>, coalesce?: string) => void; readOnly: boolean }) {
  const emails = upstreamEmailTiles(tiles, tile.id);
  const setRules = (rules: TriggerRule[], coalesce?: string) => set({ rules }, coalesce);
  const setRule = (index: number, rule: TriggerRule, coalesce?: string) => setRules(tile.rules.map((r, i) => (i === index ? rule : r)), coalesce);
  const defaultRule = (kind: RuleKind): TriggerRule => (kind === 'email' ? { tile: emails[0]?.id ?? '', on: 'opened' } : kind === 'form' ? { formId: '', on: 'submitted' } : { event: 'purchase' });
  return (
    <>
      <Radios legend="Hold until" value={tile.match} options={[['any', 'Any rule holds'], ['all', 'All rules hold']]} onChange={(match) => set({ match })} />
      <DurationInput label="Time out after" value={tile.timeout} onChange={(timeout) => set({ timeout })} disabled={readOnly} />
      <SelectField label="Basis" value={tile.basis} options={[['contact', 'Each contact'], ['account', 'The whole account']]} onChange={(basis) => set({ basis })} />
      <Section title="Rules">
        <p className="hint">When the rules hold, the contact takes the true path at once; at the timeout, the false path.</p>
        <ol className="source-list">
          {tile.rules.map((rule, index) => {
            const n = index + 1;
            return (
              <li key={index} className="source-row">
                <SelectField label={`Rule ${n}`} value={ruleKind(rule)} options={[['email', 'Email interaction'], ['form', 'Form submitted'], ['event', 'Custom event']]} onChange={(kind) => setRule(index, defaultRule(kind))} />
                {'tile' in rule && (
                  <>
                    <SelectField label={`Rule ${n} email tile`} value={rule.tile} options={[['', 'Choose an email tile upstream'], ...emails.map((e): [string, string] => [e.id, tileName(e)])]} onChange={(value) => setRule(index, { ...rule, tile: value })} />
                    <SelectField label={`Rule ${n} when`} value={rule.on} options={[['delivered', 'Delivered'], ['opened', 'Opened'], ['clicked', 'Clicked'], ['bounced', 'Bounced']]} onChange={(on) => setRule(index, { ...rule, on })} />
                    {rule.on === 'clicked' && (
                      <TextField label={`Rule ${n} link (optional)`} value={rule.link ?? ''} placeholder="https://… (any link when empty)" onChange={(link) => {
                        const { link: _old, ...rest } = rule;
                        setRule(index, link ? { ...rest, link } : rest, `link:${tile.id}:${index}`);
                      }} />
                    )}
                  </>
                )}
                {'formId' in rule && <RecordLookup kind="form" label={`Rule ${n} form`} value={rule.formId || null} disabled={readOnly} onChange={(formId) => setRule(index, { formId: formId ?? '', on: 'submitted' })} />}
                {'event' in rule && <TextField label={`Rule ${n} event type`} value={rule.event} onChange={(event) => setRule(index, { ...rule, event }, `event:${tile.id}:${index}`)} />}
                <button type="button" className="link-button" onClick={() => setRules(tile.rules.filter((_, i) => i !== index))}>
                  Remove rule {n}
                </button>
              </li>
            );
          })}
        </ol>
        <button type="button" className="button small" onClick={() => setRules([...tile.rules, defaultRule(emails.length > 0 ? 'email' : 'event')])}>
          Add rule
        </button>
      </Section>
    </>
  );
}

function SplitterFields({ tile, set }: { tile: TileOf<'splitter'>; set: (patch: Partial<Tile>, coalesce?: string) => void }) {
  const total = tile.branches.reduce((sum, b) => sum + b.share, 0);
  return (
    <>
      <Radios legend="Split by" value={tile.mode} options={[['percentage', 'Percentage'], ['count', 'Count of contacts']]} onChange={(mode) => set({ mode })} />
      <Section title="Branches">
        <ol className="source-list">
          {tile.branches.map((branch, index) => (
            <li key={index} className="branch-row">
              <ShareField label={`Branch ${index + 1} ${tile.mode === 'percentage' ? 'share (%)' : 'count'}`} value={branch.share} onChange={(share) => set({ branches: tile.branches.map((b, i) => (i === index ? { ...b, share } : b)) }, `share:${tile.id}:${index}`)} />
              {tile.branches.length > 1 && (
                <button type="button" className="link-button" onClick={() => set({ branches: tile.branches.filter((_, i) => i !== index) })}>
                  Remove branch {index + 1}
                </button>
              )}
            </li>
          ))}
        </ol>
        {tile.mode === 'percentage' && <p className={total === 100 ? 'hint' : 'field-error'}>Shares add up to {total}%{total === 100 ? '' : ': they must add up to 100%'}.</p>}
        {tile.mode === 'count' && <p className="hint">Each branch takes its count of contacts in turn; the last takes the rest.</p>}
        <button type="button" className="button small" disabled={tile.branches.length >= 20} onClick={() => set({ branches: [...tile.branches, { share: 0, next: null }] })}>
          Add branch
        </button>
      </Section>
    </>
  );
}

function ShareField({ label, value, onChange }: { label: string; value: number; onChange: (value: number) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input narrow" type="number" min={0} value={value} onChange={(event) => onChange(Math.max(0, Number(event.target.value) || 0))} />
    </div>
  );
}
