import { useState } from 'react';
import { api, ApiError, errorMessage, listAll, type Page } from '../api.ts';
import { Dialog } from '../components/Dialog.tsx';
import { Icon } from '../components/Icon.tsx';
import { Link, navigate } from '../router.tsx';
import { useData } from '../useData.ts';
import { tileName } from '../journey/tileTypes.ts';
import type { Journey } from '../journey/types.ts';
import { formatDate } from './JourneyList.tsx';

interface ContactPath {
  status: string;
  tileId: string | null;
  iteration: number;
  reason?: string;
  enteredAt: string;
  history: { tileId: string; at: string; outcome: string; reason?: string }[];
}

const OUTCOMES: Record<string, string> = { emailFailed: 'email failed', workflowFailed: 'workflow failed', true: 'true path', false: 'false path' };

/** Each journey the contact is on (or went through), with the path it took: tile by tile. */
function JourneyPaths({ contactId }: { contactId: string }) {
  const paths = useData<{ journey: Journey; path: ContactPath }[]>(`paths:${contactId}`, async () => {
    const journeys = (await listAll<Journey>('/journeys')).filter((journey) => journey.status !== 'draft');
    const found = await Promise.all(
      journeys.map((journey) =>
        api
          .get<ContactPath>(`/journeys/${encodeURIComponent(journey.id)}/contacts/${encodeURIComponent(contactId)}`)
          .then((path) => ({ journey, path }))
          .catch((caught: unknown) => {
            if (caught instanceof ApiError && caught.status === 404) return null;
            throw caught;
          }),
      ),
    );
    return found.filter((entry): entry is { journey: Journey; path: ContactPath } => entry !== null);
  });
  const name = (journey: Journey, tileId: string | null) => {
    const tile = journey.tiles.find((t) => t.id === tileId);
    return tile ? tileName(tile) : (tileId ?? '—');
  };
  return (
    <section className="card" aria-labelledby="contact-journeys">
      <h2 id="contact-journeys">Journeys</h2>
      {paths.error ? (
        <p className="field-error">{errorMessage(paths.error)}</p>
      ) : !paths.data ? (
        <p className="muted">Loading…</p>
      ) : paths.data.length === 0 ? (
        <p className="muted">Not on any journey.</p>
      ) : (
        paths.data.map(({ journey, path }) => (
          <div key={journey.id} className="journey-path">
            <h3>
              <Link to={`/journeys/${encodeURIComponent(journey.id)}`}>{journey.name}</Link>{' '}
              <span className="mini-badge">{path.status}{path.reason ? ` (${path.reason})` : ''}</span>
            </h3>
            <p className="muted small">
              Entered {formatDate(path.enteredAt)}{path.iteration > 1 ? `, iteration ${path.iteration}` : ''}
              {path.status === 'active' && path.tileId ? `; now at ${name(journey, path.tileId)}` : ''}
            </p>
            <ol aria-label={`Path on ${journey.name}`}>
              {path.history.map((step, index) => (
                <li key={`${step.tileId}-${index}`}>
                  {name(journey, step.tileId)}: {OUTCOMES[step.outcome] ?? step.outcome} <time dateTime={step.at} className="muted small">{new Date(step.at).toLocaleString()}</time>
                </li>
              ))}
              {path.history.length === 0 && <li className="muted">No step taken yet.</li>}
            </ol>
          </div>
        ))
      )}
    </section>
  );
}

interface Contact {
  id: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  consent?: string;
  timeZone?: string | null;
  accountId?: string | null;
  attributes?: Record<string, unknown>;
  createdAt?: string;
}

const fullName = (c: Contact) => [c.firstName, c.lastName].filter(Boolean).join(' ') || '—';

export function Contacts() {
  const [query, setQuery] = useState('');
  const [submitted, setSubmitted] = useState('');
  const list = useData(`contacts:${submitted}`, () => api.get<Page<Contact>>(`/contacts?limit=200${submitted ? `&q=${encodeURIComponent(submitted)}` : ''}`));
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Contacts</h1>
          <p className="muted">The people journeys reach.</p>
        </div>
      </div>
      <form
        className="list-toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setSubmitted(query.trim());
        }}
      >
        <input type="search" className="input search" aria-label="Search contacts" placeholder="Search by email or name" value={query} onChange={(event) => setQuery(event.target.value)} />
        <button type="submit" className="button">Search</button>
      </form>
      {list.error ? <p className="field-error">{errorMessage(list.error)}</p> : null}
      {!list.data ? (
        <p className="muted">Loading contacts…</p>
      ) : (
        <table className="table" aria-label="Contacts">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Consent</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((contact) => (
              <tr key={contact.id}>
                <td>
                  <Link to={`/contacts/${encodeURIComponent(contact.id)}`} className="row-link">
                    {contact.email}
                  </Link>
                </td>
                <td>{fullName(contact)}</td>
                <td>{contact.consent ?? '—'}</td>
                <td>{formatDate(contact.createdAt)}</td>
              </tr>
            ))}
            {list.data.items.length === 0 && (
              <tr>
                <td colSpan={4} className="empty-inline">
                  No contacts{submitted ? ` match “${submitted}”` : ' yet'}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {list.data?.nextCursor && <p className="muted small">Showing the first 200; search to narrow down.</p>}
    </div>
  );
}

export function ContactDetail({ id }: { id: string }) {
  const contact = useData(`contact:${id}`, () => api.get<Contact>(`/contacts/${encodeURIComponent(id)}`));
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (contact.error) return <p className="page field-error">{errorMessage(contact.error)}</p>;
  const c = contact.data;
  if (!c) return <p className="page muted">Loading the contact…</p>;
  const erase = async () => {
    try {
      await api.delete(`/contacts/${encodeURIComponent(id)}`);
      navigate('/contacts');
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  const fields: [string, unknown][] = [
    ['Email', c.email],
    ['First name', c.firstName],
    ['Last name', c.lastName],
    ['Consent', c.consent],
    ['Time zone', c.timeZone],
    ['Account', c.accountId],
    ['Created', formatDate(c.createdAt)],
  ];
  return (
    <div className="page">
      <Link to="/contacts" className="back-link">
        <Icon name="back" />
        Contacts
      </Link>
      <div className="page-header">
        <h1>{fullName(c) !== '—' ? fullName(c) : c.email}</h1>
        <button type="button" className="button danger" onClick={() => setConfirming(true)}>
          Erase contact
        </button>
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className="general-grid">
        <section className="card" aria-labelledby="contact-fields">
          <h2 id="contact-fields">Details</h2>
          <dl className="details">
            {fields.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value === null || value === undefined || value === '' ? '—' : String(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="card" aria-labelledby="contact-attributes">
          <h2 id="contact-attributes">Attributes</h2>
          {Object.keys(c.attributes ?? {}).length === 0 ? (
            <p className="muted">No custom attributes.</p>
          ) : (
            <dl className="details">
              {Object.entries(c.attributes ?? {}).map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
      </div>
      <JourneyPaths contactId={c.id} />
      {confirming && (
        <Dialog
          title="Erase this contact?"
          onClose={() => setConfirming(false)}
          footer={
            <>
              <button type="button" className="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
              <button type="button" className="button danger" onClick={() => void erase()}>
                Erase for good
              </button>
            </>
          }
        >
          <p>
            {c.email} and everything Waymark holds about this person is deleted (GDPR erasure). This cannot be undone.
          </p>
        </Dialog>
      )}
    </div>
  );
}
