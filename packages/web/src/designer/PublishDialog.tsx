import type { Tile } from '@waymark/core';
import { useId, useState } from 'react';
import type { CheckError } from '../api.ts';
import { Dialog } from '../components/Dialog.tsx';
import { tileName } from '../journey/tileTypes.ts';
import { nameIn, type VersionChanges } from './VersionsTab.tsx';

/** The value of the "leave the journey" choice: a removed tile's contacts exit (a null move). */
const EXIT = '__exit__';

/**
 * "Publish changes": what the next version adds, changes and removes, and, for each removed tile
 * that holds contacts, where they go (a combobox "Move contacts from <tile name>", no default: the
 * marketer decides). Publishing is refused until each of them is chosen.
 */
export function PublishDialog({
  changes,
  errors,
  live,
  next,
  busy,
  onPublish,
  onClose,
}: {
  changes: VersionChanges;
  errors: CheckError[];
  live: readonly Tile[];
  next: readonly Tile[];
  busy: boolean;
  onPublish: (moves: Record<string, string | null>) => void;
  onClose: () => void;
}) {
  const id = useId();
  const holding = changes.removed.filter((tile) => tile.waiting > 0);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState(false);
  // Contacts can go to any tile of the new version but its entry: they are in the journey already.
  const targets = next.slice(1);
  const blocking = errors.filter((error) => error.code !== 'removedTileHasContacts');
  const publish = () => {
    if (holding.some((tile) => !choices[tile.tileId])) {
      setMissing(true);
      return;
    }
    onPublish(Object.fromEntries(holding.map((tile) => [tile.tileId, choices[tile.tileId] === EXIT ? null : choices[tile.tileId]!])));
  };
  const section = (key: string, title: string, items: string[]) =>
    items.length > 0 && (
      <section aria-labelledby={`${id}-${key}`}>
        <h3 id={`${id}-${key}`}>{title}</h3>
        <ul aria-labelledby={`${id}-${key}`}>
          {items.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      </section>
    );
  const nothing = changes.added.length + changes.changed.length + changes.removed.length === 0;
  return (
    <Dialog
      title="Publish changes"
      description="Contacts already in the journey carry on in the new version: at a tile that stays they wait on, and a changed wait counts from when they entered it."
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={publish} disabled={busy || blocking.length > 0}>
            Publish
          </button>
        </>
      }
    >
      {nothing && <p>No tile changes: only the journey's settings change.</p>}
      {section('added', 'Added tiles', changes.added.map((tileId) => nameIn(next, tileId)))}
      {section('changed', 'Changed tiles', changes.changed.map((tileId) => nameIn(next, tileId)))}
      {changes.removed.length > 0 && (
        <section aria-labelledby={`${id}-removed`}>
          <h3 id={`${id}-removed`}>Removed tiles</h3>
          <ul aria-labelledby={`${id}-removed`} className="removed-tiles">
            {changes.removed.map((tile, index) => {
              const name = nameIn(live, tile.tileId);
              // Tile ids may hold any character; element ids may not hold spaces.
              const selectId = `${id}-move-${index}`;
              return (
                <li key={tile.tileId}>
                  <span>
                    {name}: {tile.waiting} contact{tile.waiting === 1 ? '' : 's'} waiting
                  </span>
                  {tile.waiting > 0 && (
                    <div className="field">
                      <label htmlFor={selectId}>Move contacts from {name}</label>
                      <select
                        id={selectId}
                        className="input"
                        value={choices[tile.tileId] ?? ''}
                        aria-invalid={missing && !choices[tile.tileId]}
                        onChange={(event) => setChoices((current) => ({ ...current, [tile.tileId]: event.target.value }))}
                      >
                        <option value="" disabled>
                          Choose where they go
                        </option>
                        {targets.map((target) => (
                          <option key={target.id} value={target.id}>
                            {tileName(target)}
                          </option>
                        ))}
                        <option value={EXIT}>Nowhere: they leave the journey</option>
                      </select>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {missing && holding.some((tile) => !choices[tile.tileId]) && (
        <p className="field-error" role="alert">
          Choose where the contacts of each removed tile go.
        </p>
      )}
      {blocking.length > 0 && (
        <div role="alert">
          <p className="field-error">Fix these before publishing:</p>
          <ul aria-label="Errors">
            {blocking.map((error, index) => (
              <li key={index}>{error.message}</li>
            ))}
          </ul>
        </div>
      )}
    </Dialog>
  );
}
