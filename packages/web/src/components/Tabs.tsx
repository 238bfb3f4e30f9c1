import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabSpec<K extends string> {
  key: K;
  label: string;
  badge?: ReactNode;
}

/** WAI-ARIA tabs: arrow keys move between tabs (roving tabindex), each tab controls one panel. */
export function Tabs<K extends string>({ tabs, active, onChange, label, className, idPrefix }: { tabs: TabSpec<K>[]; active: K; onChange: (key: K) => void; label: string; className?: string; idPrefix?: string }) {
  const generated = useId();
  const prefix = idPrefix ?? generated;
  const refs = useRef(new Map<K, HTMLButtonElement>());
  const onKeyDown = (event: KeyboardEvent) => {
    const index = tabs.findIndex((tab) => tab.key === active);
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    const key = tabs[next]!.key;
    onChange(key);
    refs.current.get(key)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className={`tabs ${className ?? ''}`} onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <button
          key={tab.key}
          ref={(element) => {
            if (element) refs.current.set(tab.key, element);
          }}
          type="button"
          role="tab"
          id={`${prefix}-tab-${tab.key}`}
          aria-selected={tab.key === active}
          aria-controls={`${prefix}-panel-${tab.key}`}
          tabIndex={tab.key === active ? 0 : -1}
          className="tab"
          onClick={() => onChange(tab.key)}
        >
          {tab.label}
          {tab.badge}
        </button>
      ))}
    </div>
  );
}

export function TabPanel({ idPrefix, tabKey, active, children, className, focusable }: { idPrefix: string; tabKey: string; active: boolean; children: ReactNode; className?: string; focusable?: boolean }) {
  return (
    <div role="tabpanel" tabIndex={focusable ? 0 : undefined} id={`${idPrefix}-panel-${tabKey}`} aria-labelledby={`${idPrefix}-tab-${tabKey}`} hidden={!active} className={className}>
      {active && children}
    </div>
  );
}
