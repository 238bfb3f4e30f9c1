import { useId, useState } from 'react';
import { CONTACT_FIELDS, type AttributeOp, type SegmentQuery } from '@waymark/core';
import { useRecords } from '../records.tsx';

const OPS: { op: AttributeOp; label: string }[] = [
  { op: 'eq', label: 'equals' },
  { op: 'neq', label: 'does not equal' },
  { op: 'contains', label: 'contains' },
  { op: 'startsWith', label: 'starts with' },
  { op: 'in', label: 'is one of' },
  { op: 'notIn', label: 'is none of' },
  { op: 'gt', label: 'greater than' },
  { op: 'gte', label: 'at least' },
  { op: 'lt', label: 'less than' },
  { op: 'lte', label: 'at most' },
  { op: 'exists', label: 'has a value' },
  { op: 'notExists', label: 'has no value' },
];

const EVENT_TYPES = ['email_delivered', 'email_opened', 'email_clicked', 'email_bounced', 'form_submitted', 'unsubscribed'];

type Rule = Extract<SegmentQuery, { attribute: string }> | Extract<SegmentQuery, { event: string }> | Extract<SegmentQuery, { inSegment: string }> | Extract<SegmentQuery, { subscribedTo: string }>;

/** The builder edits "all/any of these rules"; anything deeper is edited as JSON. */
function asSimple(query: SegmentQuery): { combine: 'and' | 'or'; rules: Rule[] } | null {
  const isRule = (q: SegmentQuery): q is Rule => 'attribute' in q || 'event' in q || 'inSegment' in q || 'subscribedTo' in q;
  if (isRule(query)) return { combine: 'and', rules: [query] };
  if ('and' in query && query.and.every(isRule)) return { combine: 'and', rules: query.and as Rule[] };
  if ('or' in query && query.or.every(isRule)) return { combine: 'or', rules: query.or as Rule[] };
  return null;
}

function fromSimple(combine: 'and' | 'or', rules: Rule[]): SegmentQuery {
  if (rules.length === 1) return rules[0]!;
  return combine === 'and' ? { and: rules } : { or: rules };
}

function parseValue(text: string, op: AttributeOp): unknown {
  const one = (t: string) => {
    const trimmed = t.trim();
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
    if (trimmed !== '' && !Number.isNaN(Number(trimmed)) && ['gt', 'gte', 'lt', 'lte'].includes(op)) return Number(trimmed);
    return trimmed;
  };
  return op === 'in' || op === 'notIn' ? text.split(',').map(one).filter((v) => v !== '') : one(text);
}

const showValue = (value: unknown) => (Array.isArray(value) ? value.join(', ') : value === undefined || value === null ? '' : String(value));

export function QueryBuilder({ value, onChange, disabled, attributes = [] }: { value: SegmentQuery; onChange: (query: SegmentQuery) => void; disabled?: boolean; attributes?: string[] }) {
  const id = useId();
  const { records } = useRecords();
  const simple = asSimple(value);
  const [json, setJson] = useState<string | null>(simple ? null : JSON.stringify(value, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const fields = [...CONTACT_FIELDS, ...attributes.filter((a) => !(CONTACT_FIELDS as readonly string[]).includes(a))];

  if (json !== null || !simple) {
    const text = json ?? JSON.stringify(value, null, 2);
    return (
      <div className="query-builder">
        <label htmlFor={`${id}-json`}>Query (JSON)</label>
        <textarea
          id={`${id}-json`}
          className="input code"
          rows={8}
          value={text}
          disabled={disabled}
          onChange={(event) => {
            setJson(event.target.value);
            try {
              onChange(JSON.parse(event.target.value) as SegmentQuery);
              setJsonError(null);
            } catch {
              setJsonError('Not valid JSON yet');
            }
          }}
        />
        {jsonError && <p className="field-error">{jsonError}</p>}
        {asSimple(value) && (
          <button type="button" className="link-button" onClick={() => setJson(null)}>
            Back to the rule builder
          </button>
        )}
      </div>
    );
  }

  const { combine, rules } = simple;
  const setRules = (next: Rule[]) => onChange(fromSimple(combine, next.length ? next : [{ attribute: 'email', op: 'exists' }]));
  const setRule = (index: number, rule: Rule) => setRules(rules.map((r, i) => (i === index ? rule : r)));

  return (
    <div className="query-builder">
      <fieldset className="qb-combine" disabled={disabled}>
        <legend>Match</legend>
        <label><input type="radio" name={`${id}-combine`} checked={combine === 'and'} onChange={() => onChange(rules.length > 1 ? { and: rules } : rules[0]!)} /> all rules</label>
        <label><input type="radio" name={`${id}-combine`} checked={combine === 'or'} onChange={() => onChange({ or: rules })} /> any rule</label>
      </fieldset>
      <ol className="qb-rules">
        {rules.map((rule, index) => {
          const kind = 'attribute' in rule ? 'attribute' : 'event' in rule ? 'event' : 'inSegment' in rule ? 'inSegment' : 'subscribedTo';
          const n = index + 1;
          return (
            <li key={index} className="qb-rule">
              <select aria-label={`Rule ${n} kind`} className="input" value={kind} disabled={disabled} onChange={(event) => {
                const k = event.target.value;
                setRule(index, k === 'attribute' ? { attribute: 'email', op: 'exists' } : k === 'event' ? { event: 'email_opened', within: 'P30D' } : k === 'inSegment' ? { inSegment: records.segment[0]?.id ?? '' } : { subscribedTo: records.subscriptionList[0]?.id ?? '' });
              }}>
                <option value="attribute">Field</option>
                <option value="event">Did an event</option>
                <option value="inSegment">In segment</option>
                <option value="subscribedTo">Subscribed to</option>
              </select>
              {'attribute' in rule && (
                <>
                  <input aria-label={`Rule ${n} field`} className="input" list={`${id}-fields`} value={rule.attribute} disabled={disabled} onChange={(event) => setRule(index, { ...rule, attribute: event.target.value })} />
                  <select aria-label={`Rule ${n} operator`} className="input" value={rule.op} disabled={disabled} onChange={(event) => {
                    const op = event.target.value as AttributeOp;
                    const next: Rule = { attribute: rule.attribute, op };
                    if (op !== 'exists' && op !== 'notExists') (next as { value?: unknown }).value = parseValue(showValue(rule.value), op);
                    setRule(index, next);
                  }}>
                    {OPS.map((o) => <option key={o.op} value={o.op}>{o.label}</option>)}
                  </select>
                  {rule.op !== 'exists' && rule.op !== 'notExists' && (
                    <input aria-label={`Rule ${n} value`} className="input" value={showValue(rule.value)} disabled={disabled} placeholder={rule.op === 'in' || rule.op === 'notIn' ? 'a, b, c' : 'value'} onChange={(event) => setRule(index, { ...rule, value: parseValue(event.target.value, rule.op) as never })} />
                  )}
                </>
              )}
              {'event' in rule && (
                <>
                  <input aria-label={`Rule ${n} event type`} className="input" list={`${id}-events`} value={rule.event} disabled={disabled} onChange={(event) => setRule(index, { ...rule, event: event.target.value })} />
                  <input aria-label={`Rule ${n} within (ISO duration)`} className="input narrow" value={rule.within ?? ''} placeholder="P30D" disabled={disabled} onChange={(event) => {
                    const { within: _w, ...rest } = rule;
                    setRule(index, event.target.value ? { ...rest, within: event.target.value } : rest);
                  }} />
                </>
              )}
              {'inSegment' in rule && (
                <select aria-label={`Rule ${n} segment`} className="input" value={rule.inSegment} disabled={disabled} onChange={(event) => setRule(index, { inSegment: event.target.value })}>
                  <option value="">Choose a segment</option>
                  {records.segment.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
                </select>
              )}
              {'subscribedTo' in rule && (
                <select aria-label={`Rule ${n} subscription list`} className="input" value={rule.subscribedTo} disabled={disabled} onChange={(event) => setRule(index, { subscribedTo: event.target.value })}>
                  <option value="">Choose a list</option>
                  {records.subscriptionList.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
                </select>
              )}
              <button type="button" className="icon-button" aria-label={`Remove rule ${n}`} disabled={disabled} onClick={() => setRules(rules.filter((_, i) => i !== index))}>
                <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" /></svg>
              </button>
            </li>
          );
        })}
      </ol>
      <div className="qb-actions">
        <button type="button" className="button small" disabled={disabled} onClick={() => onChange(combine === 'and' ? { and: [...rules, { attribute: 'email', op: 'exists' }] } : { or: [...rules, { attribute: 'email', op: 'exists' }] })}>
          Add rule
        </button>
        <button type="button" className="link-button" disabled={disabled} onClick={() => setJson(JSON.stringify(value, null, 2))}>
          Edit as JSON
        </button>
      </div>
      <datalist id={`${id}-fields`}>{fields.map((f) => <option key={f} value={f} />)}</datalist>
      <datalist id={`${id}-events`}>{EVENT_TYPES.map((f) => <option key={f} value={f} />)}</datalist>
    </div>
  );
}
