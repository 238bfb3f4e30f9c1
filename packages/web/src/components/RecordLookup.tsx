import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { RECORD_LABELS, useRecords, type NamedRecord, type RecordKind } from '../records.tsx';
import { RecordDialog } from './RecordDialogs.tsx';

/**
 * A lookup field for a record a tile uses: type to search the existing records (a combobox),
 * "New" opens a quick-create flyout that links the new record, "Edit" opens the record itself.
 */
export function RecordLookup({ kind, label, value, onChange, disabled, describedBy }: { kind: RecordKind; label: string; value: string | null | undefined; onChange: (id: string | null) => void; disabled?: boolean; describedBy?: string }) {
  const { records, nameOf } = useRecords();
  const id = useId();
  const listId = `${id}-list`;
  const [text, setText] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [dialog, setDialog] = useState<'new' | 'edit' | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const list = records[kind] as (NamedRecord & { status?: string })[];
  const currentName = nameOf(kind, value) ?? (value ? `Unknown ${RECORD_LABELS[kind].toLowerCase()} (${value})` : '');
  const shown = text ?? currentName;
  const matches = useMemo(() => {
    const words = (text ?? '').trim().toLowerCase();
    return list.filter((record) => !words || record.name.toLowerCase().includes(words)).slice(0, 50);
  }, [list, text]);

  const choose = (record: NamedRecord | undefined) => {
    if (!record) return;
    onChange(record.id);
    setText(null);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!open) setOpen(true);
      else setActive((a) => Math.min(a + 1, matches.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (event.key === 'Enter' && open) {
      event.preventDefault();
      choose(matches[active]);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
      setText(null);
    }
  };

  const activeId = open && matches[active] ? `${id}-opt-${active}` : undefined;

  return (
    <div className="field lookup">
      <label htmlFor={`${id}-input`}>{label}</label>
      <div className="lookup-row">
        <div className="combo">
          <input
            ref={inputRef}
            id={`${id}-input`}
            className="input"
            role="combobox"
            aria-expanded={open}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={activeId}
            aria-describedby={describedBy}
            placeholder={`Search ${RECORD_LABELS[kind].toLowerCase()}s`}
            value={shown}
            disabled={disabled}
            autoComplete="off"
            onChange={(event) => {
              setText(event.target.value);
              setActive(0);
              setOpen(true);
            }}
            onFocus={(event) => event.target.select()}
            onClick={() => setOpen(true)}
            onBlur={() => {
              // Let a click on an option land before the list closes.
              window.setTimeout(() => {
                setOpen(false);
                setText(null);
              }, 150);
            }}
            onKeyDown={onKeyDown}
          />
          <ul id={listId} role="listbox" aria-label={`${label} options`} className="combo-list" hidden={!open}>
            {matches.map((record, index) => (
              <li
                key={record.id}
                id={`${id}-opt-${index}`}
                role="option"
                aria-selected={record.id === value}
                className={`combo-option ${index === active ? 'active' : ''}`}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => choose(record)}
              >
                <span>{record.name}</span>
                {record.status && <span className={`mini-badge mini-${record.status}`}>{record.status === 'live' ? 'Published' : 'Draft'}</span>}
              </li>
            ))}
            {matches.length === 0 && (
              <li role="option" aria-selected={false} aria-disabled="true" className="combo-empty">
                No {RECORD_LABELS[kind].toLowerCase()} matches
              </li>
            )}
          </ul>
        </div>
        <button type="button" className="button small" onClick={() => setDialog('new')} disabled={disabled} aria-label={`New ${RECORD_LABELS[kind].toLowerCase()}`}>
          New
        </button>
        <button type="button" className="button small" onClick={() => setDialog('edit')} disabled={!value || !nameOf(kind, value)} aria-label={`Edit ${RECORD_LABELS[kind].toLowerCase()}`}>
          Edit
        </button>
        {value && !disabled && (
          <button type="button" className="icon-button" aria-label={`Clear ${label.toLowerCase()}`} onClick={() => onChange(null)}>
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" /></svg>
          </button>
        )}
      </div>
      {dialog && (
        <RecordDialog
          kind={kind}
          recordId={dialog === 'edit' ? (value ?? undefined) : undefined}
          onClose={() => setDialog(null)}
          onSaved={(saved) => {
            if (dialog === 'new') onChange(saved);
            setDialog(null);
          }}
        />
      )}
    </div>
  );
}
