import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { Tile } from '@waymark/core';
import { api, errorMessage, type Page } from '../api.ts';
import { Dialog } from '../components/Dialog.tsx';
import { DurationInput } from '../components/DurationInput.tsx';
import { tileName } from '../journey/tileTypes.ts';

/** One tile a previewed contact passes, as `POST /journeys/{id}/preview-path` answers it. */
export interface PathStep {
  tileId: string;
  at: string;
  outcome: string;
}

export interface PathPreview {
  status: 'completed' | 'waiting' | 'excluded' | 'exited';
  reason?: string;
  tileId?: string;
  until: string;
  path: PathStep[];
  messages: { tileId: string; emailId: string; at: string; blocked?: string }[];
}

interface ContactOption {
  id: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
}

/** An event on the timeline, as the editor holds it: what the contact does, after how long. */
interface TimelineEvent {
  key: number;
  kind: 'email_opened' | 'email_clicked' | 'custom';
  tileId: string;
  customType: string;
  after: string;
}

const REASONS: Record<string, string> = {
  consent: 'their consent is below the journey’s minimum',
  scope: 'they are outside the journey’s business unit',
  suppressed: 'their address is suppressed (an erased person)',
  notInAudience: 'the entry tile does not hold them',
  alreadyEntered: 'they already went through this journey',
  noEntryTile: 'the journey has no entry tile',
  journeyEnded: 'the journey ends first',
  tileMissing: 'a path leads to a tile that does not exist',
  tooManySteps: 'the path goes round in circles',
  suppression: 'in the suppression segment',
  hardBounce: 'the address hard-bounced',
};

const when = (at: string) => new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const contactLabel = (contact: ContactOption) => [[contact.firstName, contact.lastName].filter(Boolean).join(' '), contact.email].filter(Boolean).join(' · ');

/** The sentence that says how the preview ended. */
export function previewSummary(preview: PathPreview, tiles: readonly Tile[]): string {
  const nameOf = (tileId: string | undefined) => {
    const tile = tiles.find((candidate) => candidate.id === tileId);
    return tile ? tileName(tile) : (tileId ?? '');
  };
  const why = preview.reason ? REASONS[preview.reason] ?? preview.reason : '';
  switch (preview.status) {
    case 'completed':
      return preview.reason === 'alreadyEntered' ? `Nothing more happens: ${why}.` : 'The path ends: the contact completes the journey.';
    case 'waiting':
      return `Still waiting at ${nameOf(preview.tileId)} on ${when(preview.until)}${why ? `: ${why}` : ''}.`;
    case 'excluded':
      return `Excluded: ${why}.`;
    case 'exited':
      return `Stops at ${nameOf(preview.tileId)}: ${why}.`;
  }
}

/** Which link a click should be on: the one a trigger waiting for clicks on that email names, if any. */
function linkFor(tiles: readonly Tile[], emailTileId: string): string | undefined {
  for (const tile of tiles) {
    if (tile.type !== 'trigger') continue;
    for (const rule of tile.rules) if ('tile' in rule && rule.tile === emailTileId && rule.on === 'clicked' && rule.link) return rule.link;
  }
  return undefined;
}

function ContactCombobox({ value, onChange }: { value: ContactOption | null; onChange: (contact: ContactOption) => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [matches, setMatches] = useState<ContactOption[]>([]);
  useEffect(() => {
    if (!open) return;
    let current = true;
    const timer = window.setTimeout(() => {
      api
        .get<Page<ContactOption>>(`/contacts?limit=20${text.trim() ? `&q=${encodeURIComponent(text.trim())}` : ''}`)
        .then((page) => current && setMatches(page.items))
        .catch(() => current && setMatches([]));
    }, 150);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [text, open]);
  const choose = (contact: ContactOption | undefined) => {
    if (!contact) return;
    onChange(contact);
    setText('');
    setOpen(false);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, matches.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (event.key === 'Enter' && open) {
      event.preventDefault();
      choose(matches[active]);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
    }
  };
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>Contact</label>
      <div className="combo">
        <input
          id={`${id}-input`}
          className="input"
          role="combobox"
          aria-expanded={open}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={open && matches[active] ? `${id}-opt-${active}` : undefined}
          placeholder="Search contacts by name or email"
          autoComplete="off"
          value={open ? text : value ? contactLabel(value) : text}
          onChange={(event) => {
            setText(event.target.value);
            setActive(0);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => window.setTimeout(() => setOpen(false), 150)}
          onKeyDown={onKeyDown}
        />
        <ul id={`${id}-list`} role="listbox" aria-label="Contact options" className="combo-list" hidden={!open}>
          {matches.map((contact, index) => (
            <li
              key={contact.id}
              id={`${id}-opt-${index}`}
              role="option"
              aria-selected={contact.id === value?.id}
              className={`combo-option ${index === active ? 'active' : ''}`}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => choose(contact)}
            >
              {contactLabel(contact)}
            </li>
          ))}
          {matches.length === 0 && (
            <li role="option" aria-selected={false} aria-disabled="true" className="combo-empty">
              No contact matches
            </li>
          )}
        </ul>
      </div>
    </div>
  );
}

/**
 * "Preview path": pick a contact, put what they will do on a timeline ("clicks the white paper
 * after 2 hours"), and see every tile they would pass, with times and outcomes, and every message.
 * The path is handed to the canvas (`onPreview`) to be highlighted there.
 */
export function PreviewPathDialog({ journeyId, tiles, onClose, onPreview }: { journeyId: string; tiles: readonly Tile[]; onClose: () => void; onPreview: (preview: PathPreview | null) => void }) {
  const emailTiles = tiles.filter((tile) => tile.type === 'email');
  const [contact, setContact] = useState<ContactOption | null>(null);
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [nextKey, setNextKey] = useState(1);
  const [preview, setPreview] = useState<PathPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameOf = (tileId: string) => {
    const tile = tiles.find((candidate) => candidate.id === tileId);
    return tile ? tileName(tile) : tileId;
  };

  const addEvent = () => {
    setEvents((list) => [...list, { key: nextKey, kind: emailTiles.length > 0 ? 'email_clicked' : 'custom', tileId: emailTiles[0]?.id ?? '', customType: '', after: 'PT2H' }]);
    setNextKey((key) => key + 1);
  };
  const change = (key: number, patch: Partial<TimelineEvent>) => setEvents((list) => list.map((event) => (event.key === key ? { ...event, ...patch } : event)));

  const run = async () => {
    if (!contact) {
      setError('Choose a contact first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = {
        contactId: contact.id,
        events: events.map((event) => {
          if (event.kind === 'custom') return { after: event.after, type: event.customType.trim() };
          const url = event.kind === 'email_clicked' ? linkFor(tiles, event.tileId) : undefined;
          return { after: event.after, type: event.kind, tileId: event.tileId, ...(url ? { properties: { url } } : {}) };
        }),
      };
      const answer = await api.post<PathPreview>(`/journeys/${encodeURIComponent(journeyId)}/preview-path`, body);
      setPreview(answer);
      onPreview(answer);
    } catch (caught) {
      setError(errorMessage(caught));
      onPreview(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Preview path"
      className="preview-dialog"
      onClose={onClose}
      description="What would happen to one contact from now, given what they do. Nothing is sent or saved."
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>Close</button>
          <button type="button" className="button primary" onClick={() => void run()} disabled={busy}>{busy ? 'Previewing…' : 'Preview'}</button>
        </>
      }
    >
      <ContactCombobox value={contact} onChange={setContact} />
      <fieldset className="timeline-editor">
        <legend>What the contact does</legend>
        {events.length === 0 && <p className="muted small">Nothing: they open and click nothing. Add events to try other paths.</p>}
        <ol aria-label="Timeline" className="timeline-events">
          {events.map((event, index) => (
            <li key={event.key} className="timeline-event">
              <div className="field">
                <label htmlFor={`event-kind-${event.key}`}>Event {index + 1}</label>
                <select id={`event-kind-${event.key}`} className="input" value={event.kind} onChange={(e) => change(event.key, { kind: e.target.value as TimelineEvent['kind'] })}>
                  {emailTiles.length > 0 && <option value="email_clicked">clicks</option>}
                  {emailTiles.length > 0 && <option value="email_opened">opens</option>}
                  <option value="custom">custom event</option>
                </select>
              </div>
              {event.kind === 'custom' ? (
                <div className="field">
                  <label htmlFor={`event-type-${event.key}`}>Event type {index + 1}</label>
                  <input id={`event-type-${event.key}`} className="input" value={event.customType} placeholder="e.g. purchase" onChange={(e) => change(event.key, { customType: e.target.value })} />
                </div>
              ) : (
                <div className="field">
                  <label htmlFor={`event-tile-${event.key}`}>Email {index + 1}</label>
                  <select id={`event-tile-${event.key}`} className="input" value={event.tileId} onChange={(e) => change(event.key, { tileId: e.target.value })}>
                    {emailTiles.map((tile) => (
                      <option key={tile.id} value={tile.id}>{tileName(tile)}</option>
                    ))}
                  </select>
                </div>
              )}
              <DurationInput label={`After ${index + 1}`} value={event.after} onChange={(after) => change(event.key, { after })} />
              <button type="button" className="button small" aria-label={`Remove event ${index + 1}`} onClick={() => setEvents((list) => list.filter((other) => other.key !== event.key))}>
                Remove
              </button>
            </li>
          ))}
        </ol>
        <button type="button" className="button small" onClick={addEvent}>Add event</button>
      </fieldset>
      {error && <p className="field-error" role="alert">{error}</p>}
      {preview && (
        <section aria-label="Preview result" className="preview-result">
          <p role="status">{previewSummary(preview, tiles)}</p>
          <h3>Path</h3>
          {preview.path.length === 0 ? (
            <p className="muted">No tile.</p>
          ) : (
            <ol aria-label="Path" className="path-list">
              {preview.path.map((step, index) => (
                <li key={index}>
                  <strong>{nameOf(step.tileId)}</strong> <span className="path-outcome">{step.outcome}</span> <time dateTime={step.at}>{when(step.at)}</time>
                </li>
              ))}
            </ol>
          )}
          <h3>Messages</h3>
          {preview.messages.length === 0 ? (
            <p className="muted">No message.</p>
          ) : (
            <ul aria-label="Messages" className="path-list">
              {preview.messages.map((message, index) => (
                <li key={index}>
                  <strong>{nameOf(message.tileId)}</strong> <time dateTime={message.at}>{when(message.at)}</time>
                  {message.blocked && <span className="field-error"> not sent: {REASONS[message.blocked] ?? message.blocked}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </Dialog>
  );
}
