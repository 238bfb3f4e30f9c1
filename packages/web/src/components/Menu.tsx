import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface MenuItem {
  key: string;
  label: string;
  hint?: string;
  icon?: ReactNode;
  disabled?: boolean;
}

/** A menu button (WAI-ARIA): opens a role="menu" of menuitems, arrow keys move, Enter chooses, Escape closes. */
export function MenuButton({ label, items, onSelect, disabled, buttonContent, className, shortcut, openSignal = 0 }: { label: string; items: MenuItem[]; onSelect: (key: string) => void; disabled?: boolean; buttonContent?: ReactNode; className?: string; shortcut?: string; openSignal?: number }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const rootRef = useRef<HTMLDivElement>(null);
  const [focusFirst, setFocusFirst] = useState<'first' | 'last'>('first');

  // A keyboard shortcut elsewhere can open the menu.
  useEffect(() => {
    if (openSignal > 0 && !disabled) {
      setFocusFirst('first');
      setOpen(true);
    }
  }, [openSignal, disabled]);

  useEffect(() => {
    if (!open) return;
    const enabled = itemRefs.current.filter((item) => item && !item.disabled);
    (focusFirst === 'first' ? enabled[0] : enabled[enabled.length - 1])?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open, focusFirst]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  const onMenuKey = (event: KeyboardEvent) => {
    const enabled = itemRefs.current.filter((item): item is HTMLButtonElement => !!item && !item.disabled);
    const index = enabled.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => {
      event.preventDefault();
      enabled[(to + enabled.length) % enabled.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(index + 1);
    else if (event.key === 'ArrowUp') move(index - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(enabled.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === 'Tab') close(false);
    else if (event.key.length === 1 && /\S/.test(event.key)) {
      // Type-ahead: the next item starting with the typed letter.
      const letter = event.key.toLowerCase();
      const order = [...enabled.slice(index + 1), ...enabled.slice(0, index + 1)];
      const found = order.find((item) => item.textContent?.trim().toLowerCase().startsWith(letter));
      if (found) {
        event.preventDefault();
        found.focus();
      }
    }
  };

  return (
    <div className={`menu-root ${className ?? ''}`} ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="command"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-keyshortcuts={shortcut}
        disabled={disabled}
        onClick={() => {
          setFocusFirst('first');
          setOpen((value) => !value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            setFocusFirst(event.key === 'ArrowDown' ? 'first' : 'last');
            setOpen(true);
          }
        }}
      >
        {buttonContent ?? label}
      </button>
      {open && (
        <div role="menu" id={menuId} aria-label={label} className="menu" onKeyDown={onMenuKey}>
          {items.map((item, index) => (
            <button
              key={item.key}
              ref={(element) => {
                itemRefs.current[index] = element;
              }}
              type="button"
              role="menuitem"
              tabIndex={-1}
              disabled={item.disabled}
              className="menu-item"
              onClick={() => {
                close(false);
                onSelect(item.key);
              }}
            >
              {item.icon}
              <span className="menu-item-label">{item.label}</span>
              {item.hint && <span className="menu-item-hint" aria-hidden="true">{item.hint}</span>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
