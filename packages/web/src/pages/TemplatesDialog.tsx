import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api, ApiError, errorMessage, type Page } from '../api.ts';
import { Dialog } from '../components/Dialog.tsx';
import { browserTimeZone, draftDefinition } from '../journey/defaults.ts';
import { BUILT_IN_TEMPLATES, type TemplateSummary } from '../journey/templates.ts';
import type { Journey } from '../journey/types.ts';
import { navigate } from '../router.tsx';
import { useData } from '../useData.ts';

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

interface Loaded {
  templates: TemplateSummary[];
  /** True when the server has GET /journey-templates (it then creates from {templateId, name}). */
  fromServer: boolean;
}

async function loadTemplates(): Promise<Loaded> {
  try {
    const page = await api.get<Page<TemplateSummary>>('/journey-templates?limit=1000');
    if (page.items.length > 0) return { templates: page.items, fromServer: true };
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 405)) throw error;
  }
  return { templates: [...BUILT_IN_TEMPLATES], fromServer: false };
}

/** A journey's create body, retried with business-unit scope for users who may not pick organization scope. */
async function createJourney(body: Record<string, unknown>): Promise<Journey> {
  try {
    return await api.post<Journey>('/journeys', body);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return api.post<Journey>('/journeys', { ...body, scope: 'businessUnit' });
    throw error;
  }
}

export function TemplatesDialog({ onClose }: { onClose: () => void }) {
  const { data, error: loadError } = useData('templates', loadTemplates);
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<string>('all');
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const optionRefs = useRef(new Map<string, HTMLLIElement>());

  const categories = useMemo(() => [...new Set((data?.templates ?? []).map((t) => t.category))], [data]);
  const visible = useMemo(() => {
    const words = query.trim().toLowerCase();
    return (data?.templates ?? []).filter(
      (t) => (category === 'all' || t.category === category) && (!words || `${t.name} ${t.category} ${t.description}`.toLowerCase().includes(words)),
    );
  }, [data, query, category]);
  const chosen = visible.find((t) => t.id === selected) ?? null;

  const create = async (template: TemplateSummary | null) => {
    setBusy(true);
    setError(null);
    try {
      const journeyName = name.trim() || (template ? template.name : 'Untitled journey');
      let journey: Journey;
      if (!template) journey = await createJourney({ ...draftDefinition(journeyName) });
      else if (data?.fromServer) journey = await createJourney({ templateId: template.id, name: journeyName, timeZone: browserTimeZone() });
      else {
        const builtIn = BUILT_IN_TEMPLATES.find((t) => t.id === template.id)!;
        journey = await createJourney({ ...draftDefinition(journeyName, structuredClone(builtIn.tiles)), description: builtIn.description });
      }
      onClose();
      navigate(`/journeys/${encodeURIComponent(journey.id)}`);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  const onOptionKey = (event: KeyboardEvent, index: number) => {
    let to = -1;
    if (event.key === 'ArrowDown') to = Math.min(index + 1, visible.length - 1);
    else if (event.key === 'ArrowUp') to = Math.max(index - 1, 0);
    else if (event.key === 'Home') to = 0;
    else if (event.key === 'End') to = visible.length - 1;
    else if (event.key === 'Enter') {
      event.preventDefault();
      void create(visible[index]!);
      return;
    } else if (event.key === ' ') {
      event.preventDefault();
      setSelected(visible[index]!.id);
      return;
    }
    if (to < 0) return;
    event.preventDefault();
    const target = visible[to]!;
    setSelected(target.id);
    optionRefs.current.get(target.id)?.focus();
  };

  return (
    <Dialog
      title="Journey templates"
      onClose={onClose}
      className="templates-dialog"
      description="Start from a pipeline for your kind of campaign, or from an empty canvas."
      footer={
        <>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="button" className="button" onClick={() => void create(null)} disabled={busy}>
            Start from scratch
          </button>
          <button type="button" className="button primary" onClick={() => void create(chosen)} disabled={busy || !chosen}>
            Use template
          </button>
        </>
      }
    >
      <div className="templates-toolbar">
        <input type="search" className="input" aria-label="Search templates" placeholder="Search templates" value={query} onChange={(event) => setQuery(event.target.value)} />
        <label className="inline-field">
          <span>Journey name</span>
          <input className="input" value={name} placeholder="Untitled journey" onChange={(event) => setName(event.target.value)} />
        </label>
      </div>
      <div className="templates-layout">
        <nav aria-label="Template categories" className="template-categories">
          <ul>
            {['all', ...categories].map((c) => (
              <li key={c}>
                <button type="button" className={`category ${category === c ? 'active' : ''}`} aria-pressed={category === c} onClick={() => setCategory(c)}>
                  {c === 'all' ? 'All templates' : capitalize(c)}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="template-results">
          {loadError ? <p className="field-error">{errorMessage(loadError)}</p> : null}
          {!data && !loadError && <p className="muted">Loading templates…</p>}
          {data && visible.length === 0 && <p className="empty-inline">No template matches “{query}”.</p>}
          {visible.length > 0 && (
            <ul role="listbox" aria-label="Templates" className="template-list">
              {visible.map((template, index) => (
                <li
                  key={template.id}
                  ref={(element) => {
                    if (element) optionRefs.current.set(template.id, element);
                  }}
                  role="option"
                  aria-selected={template.id === selected}
                  tabIndex={template.id === selected || (!chosen && index === 0) ? 0 : -1}
                  className="template-option"
                  onClick={() => setSelected(template.id)}
                  onDoubleClick={() => void create(template)}
                  onKeyDown={(event) => onOptionKey(event, index)}
                >
                  <span className="template-name">{template.name}</span>
                  <span className="template-category">{capitalize(template.category)}</span>
                  <span className="template-description">{template.description}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </Dialog>
  );
}
