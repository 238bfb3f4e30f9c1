import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { JourneyDefinition as JourneySchema, type JourneyDefinition, type Tile, type TileType } from '@waymark/core';
import { api, ApiError, errorMessage, listAll, type CheckError, type Page } from '../api.ts';
import { Icon } from '../components/Icon.tsx';
import { MenuButton } from '../components/Menu.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { TabPanel, Tabs } from '../components/Tabs.tsx';
import { TileIcon } from '../components/TileIcon.tsx';
import { connect, deleteTile, exitsOf, insertionOptions, insertTile, replaceTile, setExit, type InsertionPoint } from '../journey/graph.ts';
import { newTile, newTileId, newTileName, TILE_TYPES, tileName, tileTypeInfo } from '../journey/tileTypes.ts';
import { definitionOf, type Journey, type JourneyInsights, type Milestone } from '../journey/types.ts';
import { useRecords } from '../records.tsx';
import { Link } from '../router.tsx';
import { useData } from '../useData.ts';
import { Canvas, type AddingState } from './Canvas.tsx';
import { editorReducer, initEditor } from './editorState.ts';
import { GeneralTab } from './GeneralTab.tsx';
import { InsightsTab } from './InsightsTab.tsx';
import { PreviewPathDialog, type PathPreview } from './PreviewPathDialog.tsx';
import { Properties } from './Properties.tsx';
import { PublishDialog } from './PublishDialog.tsx';
import { ShortcutsDialog } from './ShortcutsDialog.tsx';
import { nestedItems, summarize } from './summaries.ts';
import { Toolbox } from './Toolbox.tsx';
import { VersionsTab, type VersionChanges, type VersionSummary } from './VersionsTab.tsx';

const LIVE_REFRESH_MS = 2500;

type MainTab = 'design' | 'general' | 'insights' | 'versions';

/** A published version with its whole definition, as the Versions tab opens it. */
type LoadedVersion = VersionSummary & { tiles: Tile[] };
type SideTab = 'toolbox' | 'properties';

export function Designer({ id }: { id: string }) {
  const journey = useData(`journey:${id}`, () => api.get<Journey>(`/journeys/${encodeURIComponent(id)}`));
  if (journey.error) {
    const notFound = journey.error instanceof ApiError && journey.error.status === 404;
    return (
      <div className="page">
        <h1>{notFound ? 'Journey not found' : 'The journey could not be loaded'}</h1>
        <p className="field-error">{errorMessage(journey.error)}</p>
        <Link to="/">Back to the journeys</Link>
      </div>
    );
  }
  if (!journey.data) return <p className="page muted">Loading the journey…</p>;
  return (
    <ReactFlowProvider>
      <LoadedDesigner key={journey.data.id} initial={journey.data} />
    </ReactFlowProvider>
  );
}

/** Zod issues of the client-side schema check, as check errors that name the tile. */
function schemaErrors(def: JourneyDefinition, issues: { path: PropertyKey[]; message: string }[]): CheckError[] {
  return issues.map((issue) => {
    const [first, index, field] = issue.path;
    if (first === 'tiles' && typeof index === 'number') {
      const tile = def.tiles[index];
      const label = tile ? `${tileTypeInfo(tile.type).label} tile "${tileName(tile)}"` : `Tile ${index + 1}`;
      const friendly = field === 'formId' ? 'has no form selected' : field === 'subject' ? 'needs a subject' : `${issue.path.slice(2).join('.')}: ${issue.message}`;
      return { tileId: tile?.id, field: issue.path.slice(2).join('.'), code: 'invalid', message: `${label} ${friendly}` };
    }
    return { field: issue.path.join('.'), code: 'invalid', message: `${issue.path.join('.') || 'Journey'}: ${issue.message}` };
  });
}

function LoadedDesigner({ initial }: { initial: Journey }) {
  const id = initial.id;
  const flow = useReactFlow();
  const { nameOf, humanize, refresh: refreshRecords } = useRecords();
  // Records made or published elsewhere since the app loaded them.
  useEffect(() => void refreshRecords(), [refreshRecords]);
  const [editor, dispatch] = useReducer(editorReducer, definitionOf(initial), initEditor);
  const def = editor.present;
  const tiles = def.tiles;
  const [status, setStatus] = useState(initial.status);
  // A live or stopped journey is changed by editing its next version (a draft beside the running
  // one) and publishing it; `running` is the version contacts are in now.
  const [version, setVersion] = useState(initial.version ?? null);
  const [running, setRunning] = useState(() => definitionOf(initial));
  const [editing, setEditing] = useState(false);
  const [viewing, setViewing] = useState<number | null>(null);
  const [review, setReview] = useState<{ changes: VersionChanges; errors: CheckError[] } | null>(null);
  const readOnly = (status !== 'draft' && !editing) || viewing !== null;
  const dirty = editor.present !== editor.saved;
  const [mainTab, setMainTab] = useState<MainTab>('design');
  const [sideTab, setSideTab] = useState<SideTab>('toolbox');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [adding, setAdding] = useState<AddingState | null>(null);
  const [clipboard, setClipboard] = useState<Tile | null>(null);
  const [errors, setErrors] = useState<CheckError[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState<{ text: string; tone: 'info' | 'success' | 'error' } | null>(null);
  const [showHelp, setShowHelp] = useState(false);
  const [previewing, setPreviewing] = useState(false);
  const [pathPreview, setPathPreview] = useState<PathPreview | null>(null);
  const [addSignal, setAddSignal] = useState(0);
  const announceTimer = useRef<number | undefined>(undefined);

  const announce = useCallback((text: string, tone: 'info' | 'success' | 'error' = 'info') => {
    setAnnouncement({ text, tone });
    window.clearTimeout(announceTimer.current);
    announceTimer.current = window.setTimeout(() => setAnnouncement(null), 6000);
  }, []);

  const insights = useData<JourneyInsights>(status === 'draft' ? null : `insights:${id}:${status}`, () => api.get(`/journeys/${encodeURIComponent(id)}/insights`), status === 'live' ? LIVE_REFRESH_MS : undefined);
  const milestones = useData<Milestone[]>(mainTab === 'insights' ? `milestones:${id}:${status}` : null, () => api.get<Page<Milestone>>(`/journeys/${encodeURIComponent(id)}/milestones`).then((p) => p.items), status === 'live' ? LIVE_REFRESH_MS * 2 : undefined);
  const versions = useData<LoadedVersion[]>(version === null ? null : `versions:${id}:${version}`, async () => {
    const list = await api.get<Page<VersionSummary>>(`/journeys/${encodeURIComponent(id)}/versions`);
    // Each version whole, so a removed tile keeps its name and any version opens on the canvas.
    return Promise.all(list.items.map(async (item) => ({ ...item, tiles: (await api.get<JourneyDefinition>(`/journeys/${encodeURIComponent(id)}/versions/${item.version}`)).tiles })));
  });
  const attributes = useData<string[]>('attributes', () => listAll<{ name: string; entity: string }>('/attributes').then((list) => list.filter((a) => a.entity !== 'account').map((a) => a.name)).catch(() => []));

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (dirty) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const edit = useCallback((update: (d: JourneyDefinition) => JourneyDefinition, coalesce?: string) => dispatch({ type: 'edit', update, coalesce }), []);
  const setTiles = useCallback((update: (t: Tile[]) => Tile[], coalesce?: string) => edit((d) => ({ ...d, tiles: update(d.tiles) }), coalesce), [edit]);

  const shownTiles = (viewing !== null ? versions.data?.find((v) => v.version === viewing)?.tiles : undefined) ?? tiles;
  const selected = shownTiles.find((tile) => tile.id === selectedId) ?? null;

  const errorsByTile = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const error of errors ?? []) if (error.tileId) map.set(error.tileId, [...(map.get(error.tileId) ?? []), humanize(error.message)]);
    return map;
  }, [errors, humanize]);
  const errorsByField = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const error of errors ?? []) if (!error.tileId && error.field) map.set(error.field.split('.')[0]!, [...(map.get(error.field.split('.')[0]!) ?? []), error.message]);
    return map;
  }, [errors]);
  const summaries = useMemo(() => new Map(shownTiles.map((tile) => [tile.id, summarize(tile, shownTiles, nameOf)])), [shownTiles, nameOf]);
  const nested = useMemo(() => new Map(shownTiles.map((tile) => [tile.id, nestedItems(tile, nameOf)])), [shownTiles, nameOf]);

  // ----- adding tiles

  const makeTile = useCallback((type: TileType) => newTile(type, newTileId(type, new Set(tiles.map((t) => t.id))), newTileName(type, tiles)), [tiles]);

  const startAdding = useCallback(
    (type: TileType, focus = true) => {
      if (readOnly) return;
      setMainTab('design');
      setAdding({ tile: makeTile(type), focus });
    },
    [readOnly, makeTile],
  );

  const placeTile = useCallback(
    (tile: Tile, point: InsertionPoint) => {
      const after = point.kind === 'start' ? 'at the start' : `after ${tileName(tiles.find((t) => t.id === point.tileId)!)}`;
      setTiles((current) => insertTile(current, point, tile));
      setAdding(null);
      setSelectedId(tile.id);
      setSideTab('properties');
      announce(`${tileTypeInfo(tile.type).label} tile “${tileName(tile)}” added ${after}.`, 'success');
      // Focus follows the new tile, so the keyboard user continues from there.
      // (Unless the user has already moved on: the removed insertion point leaves focus on the body.)
      window.setTimeout(() => {
        const active = document.activeElement;
        if (active && active !== document.body && active.isConnected) return;
        (document.querySelector(`.react-flow__node[data-id="${CSS.escape(tile.id)}"]`) as HTMLElement | null)?.focus();
      }, 50);
    },
    [tiles, setTiles, announce],
  );

  const insertAt = useCallback((point: InsertionPoint) => adding && placeTile(adding.tile, point), [adding, placeTile]);
  const dropType = useCallback(
    (type: string, point: InsertionPoint) => {
      if (readOnly || !TILE_TYPES.some((t) => t.type === type)) return;
      placeTile(adding?.tile.type === type ? adding.tile : makeTile(type as TileType), point);
    },
    [readOnly, adding, placeTile, makeTile],
  );
  const cancelAdding = useCallback(() => {
    setAdding(null);
    announce('Adding cancelled.');
    (document.querySelector('[data-command="add"] button') as HTMLElement | null)?.focus();
  }, [announce]);

  const options = useMemo(() => (adding ? insertionOptions(tiles, adding.tile.type) : []), [adding, tiles]);

  // ----- other edits

  const removeSelected = useCallback(() => {
    if (!selected || readOnly) return;
    setTiles((current) => deleteTile(current, selected.id));
    setSelectedId(null);
    setSideTab('toolbox');
    announce(`${tileTypeInfo(selected.type).label} tile “${tileName(selected)}” deleted.`);
  }, [selected, readOnly, setTiles, announce]);

  const copySelected = useCallback(() => {
    if (!selected) return;
    setClipboard(selected);
    announce(`Copied “${tileName(selected)}”. Paste to choose where the copy goes.`);
  }, [selected, announce]);

  const paste = useCallback(() => {
    if (!clipboard || readOnly) return;
    const id = newTileId(clipboard.type, new Set(tiles.map((t) => t.id)));
    // The copy keeps its settings but none of its paths: it goes where the user drops it.
    let copy: Tile = { ...structuredClone(clipboard), id, name: `${tileName(clipboard)} (copy)` };
    for (const exit of exitsOf(copy)) copy = setExit(copy, exit.field, null);
    setMainTab('design');
    setAdding({ tile: copy, focus: true });
  }, [clipboard, readOnly, tiles]);

  // ----- server actions

  const save = useCallback(async (): Promise<boolean> => {
    if (readOnly) return false;
    const sent = editor.present;
    const body = definitionOf(sent);
    const parsed = JourneySchema.safeParse(body);
    if (!parsed.success) {
      setErrors(schemaErrors(body, parsed.error.issues));
      announce('Not saved: fix the problems listed under Errors.', 'error');
      return false;
    }
    setBusy('save');
    try {
      await api.put<Journey>(`/journeys/${encodeURIComponent(id)}${editing ? '/draft' : ''}`, body);
      dispatch({ type: 'saved', def: sent });
      announce(editing ? `Changes saved for version ${(version ?? 0) + 1}: the running version is unchanged until you publish them.` : 'Journey saved.', 'success');
      return true;
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 400 && caught.problem.errors) {
        setErrors(schemaErrors(body, caught.problem.errors.map((e) => ({ path: ('path' in e ? e.path : '').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: e.message }))));
      }
      if (caught instanceof ApiError && caught.status === 409) setStatus((await api.get<Journey>(`/journeys/${encodeURIComponent(id)}`)).status);
      announce(`Not saved: ${errorMessage(caught)}`, 'error');
      return false;
    } finally {
      setBusy(null);
    }
  }, [readOnly, editor.present, id, announce, editing, version]);

  const check = useCallback(async () => {
    if (dirty && !(await save())) return;
    setBusy('check');
    try {
      const result = await api.post<{ errors: CheckError[] }>(`/journeys/${encodeURIComponent(id)}${editing ? '/draft' : ''}/check`);
      setErrors(result.errors);
      announce(result.errors.length === 0 ? 'No errors: this journey is ready to go live.' : `${result.errors.length} error${result.errors.length === 1 ? '' : 's'} found.`, result.errors.length ? 'error' : 'success');
    } catch (caught) {
      announce(errorMessage(caught), 'error');
    } finally {
      setBusy(null);
    }
  }, [dirty, save, id, announce, editing]);

  const goLive = useCallback(async () => {
    if (dirty && !(await save())) return;
    setBusy('live');
    try {
      const result = await api.post<{ status: Journey['status'] }>(`/journeys/${encodeURIComponent(id)}/go-live`);
      setStatus(result.status);
      setErrors(null);
      setAdding(null);
      announce(result.status === 'live' ? 'The journey is live.' : `The journey is ${result.status}.`, 'success');
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 422) {
        setErrors((caught.problem.errors ?? []) as CheckError[]);
        announce(`Not live: ${caught.message}`, 'error');
      } else announce(errorMessage(caught), 'error');
    } finally {
      setBusy(null);
    }
  }, [dirty, save, id, announce]);

  // The server previews the stored definition: unsaved edits are saved first, as for a check.
  const openPreview = useCallback(async () => {
    if (dirty && !(await save())) return;
    setMainTab('design');
    setPreviewing(true);
  }, [dirty, save]);

  const stop = useCallback(async () => {
    setBusy('stop');
    try {
      const result = await api.post<{ status: Journey['status'] }>(`/journeys/${encodeURIComponent(id)}/stop`);
      setStatus(result.status);
      announce('The journey is stopped: contacts no longer move through it.');
    } catch (caught) {
      announce(errorMessage(caught), 'error');
    } finally {
      setBusy(null);
    }
  }, [id, announce]);

  // ----- the next version of a live journey

  /** Opens the next version for editing: the draft saved earlier, or a fresh copy of the running version. */
  const startEditing = useCallback(async () => {
    setBusy('edit');
    try {
      let draft: JourneyDefinition;
      try {
        draft = definitionOf(await api.get<Journey>(`/journeys/${encodeURIComponent(id)}/draft`));
      } catch (caught) {
        if (!(caught instanceof ApiError && caught.status === 404)) throw caught;
        draft = running;
        await api.put(`/journeys/${encodeURIComponent(id)}/draft`, draft);
      }
      dispatch({ type: 'load', def: draft });
      setViewing(null);
      setEditing(true);
      setMainTab('design');
      announce(`Editing version ${(version ?? 0) + 1}. Contacts stay in version ${version} until you publish the changes.`);
    } catch (caught) {
      announce(errorMessage(caught), 'error');
    } finally {
      setBusy(null);
    }
  }, [id, running, version, announce]);

  /** Checks the draft against the contacts under way and opens "Publish changes" with what it changes. */
  const reviewChanges = useCallback(async () => {
    if (dirty && !(await save())) return;
    setBusy('review');
    try {
      setReview(await api.post<{ changes: VersionChanges; errors: CheckError[] }>(`/journeys/${encodeURIComponent(id)}/draft/check`));
    } catch (caught) {
      announce(errorMessage(caught), 'error');
    } finally {
      setBusy(null);
    }
  }, [dirty, save, id, announce]);

  const publish = useCallback(
    async (moves: Record<string, string | null>) => {
      setBusy('publish');
      try {
        const result = await api.post<{ version: number }>(`/journeys/${encodeURIComponent(id)}/draft/publish`, { moves });
        const journey = await api.get<Journey>(`/journeys/${encodeURIComponent(id)}`);
        const def = definitionOf(journey);
        setRunning(def);
        dispatch({ type: 'load', def });
        setVersion(result.version);
        setEditing(false);
        setReview(null);
        setErrors(null);
        announce(`Version ${result.version} published: contacts carry on in it.`, 'success');
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 422) {
          const problem = caught.problem as { errors?: CheckError[]; changes?: VersionChanges };
          setReview((current) => ({ changes: problem.changes ?? current!.changes, errors: problem.errors ?? [] }));
        } else announce(`Not published: ${errorMessage(caught)}`, 'error');
      } finally {
        setBusy(null);
      }
    },
    [id, announce],
  );

  const discardChanges = useCallback(async () => {
    setBusy('discard');
    try {
      await api.delete(`/journeys/${encodeURIComponent(id)}/draft`);
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 404)) {
        announce(errorMessage(caught), 'error');
        setBusy(null);
        return;
      }
    }
    dispatch({ type: 'load', def: running });
    setEditing(false);
    setErrors(null);
    setBusy(null);
    announce(`Changes discarded: version ${version} runs on as it was.`);
  }, [id, running, version, announce]);

  const openVersion = useCallback(
    (number: number) => {
      setViewing(number === version && !editing ? null : number);
      setSelectedId(null);
      setAdding(null);
      setMainTab('design');
      announce(`Showing version ${number}, read-only.`);
    },
    [version, editing, announce],
  );

  // ----- keyboard shortcuts

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (target.closest('input, textarea, select, [contenteditable="true"]') || document.querySelector('dialog[open]')) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      const handled = () => event.preventDefault();
      if (mod && key === 's') {
        handled();
        void save();
      } else if (mod && key === 'z' && !event.shiftKey) {
        handled();
        dispatch({ type: 'undo' });
      } else if (mod && (key === 'y' || (key === 'z' && event.shiftKey))) {
        handled();
        dispatch({ type: 'redo' });
      } else if (mod && key === 'c' && selected && !window.getSelection()?.toString()) {
        handled();
        copySelected();
      } else if (mod && key === 'v' && clipboard) {
        handled();
        paste();
      } else if (mod) return;
      else if ((key === 'delete' || key === 'backspace') && selected && !target.closest('.insert-point')) {
        handled();
        removeSelected();
      } else if (key === 'a' && !event.altKey && !readOnly) {
        handled();
        setAddSignal((n) => n + 1);
      } else if (key === '?' || (key === '/' && event.shiftKey)) {
        handled();
        setShowHelp(true);
      } else if (key === '+' || key === '=') void flow.zoomIn();
      else if (key === '-') void flow.zoomOut();
      else if (key === '0') void flow.fitView({ padding: 0.08, maxZoom: 1.1 });
      else if (key === 'escape' && selected && !adding) setSelectedId(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, selected, clipboard, copySelected, paste, removeSelected, readOnly, flow, adding]);

  const addItems = TILE_TYPES.map((info) => ({ key: info.type, label: info.label, icon: <TileIcon type={info.type} size={14} /> }));
  const savedState = readOnly ? 'Read-only' : busy === 'save' ? 'Saving…' : dirty ? 'Unsaved changes' : 'All changes saved';

  return (
    <div className="designer">
      <header className="designer-header">
        <Link to="/" className="back-link"><Icon name="back" />Journeys</Link>
        <h1 className="designer-title">{def.name || 'Untitled journey'}</h1>
        <StatusBadge status={status} />
        {version !== null && <span className="version-label">{editing ? `Editing version ${version + 1} (version ${version} runs)` : `Version ${viewing ?? version}`}</span>}
        <span className={`save-state ${dirty && !readOnly ? 'dirty' : ''}`}>{savedState}</span>
      </header>

      <div className="command-bar" role="toolbar" aria-label="Journey commands" aria-orientation="horizontal">
        <div data-command="add">
          <MenuButton
            label="Add"
            items={addItems}
            disabled={readOnly}
            openSignal={addSignal}
            shortcut="A"
            onSelect={(key) => startAdding(key as TileType)}
            buttonContent={<><Icon name="plus" />Add</>}
          />
        </div>
        <button type="button" className="command" onClick={() => void save()} disabled={readOnly || busy !== null} aria-keyshortcuts="Control+S">
          <Icon name="save" />
          Save
        </button>
        <button type="button" className="command" onClick={() => void check()} disabled={busy !== null}>
          <Icon name="check" />
          Check for errors
        </button>
        <button type="button" className="command" onClick={() => void openPreview()} disabled={busy !== null}>
          <Icon name="play" />
          Preview path
        </button>
        <button type="button" className="command go-live" onClick={() => void goLive()} disabled={status === 'live' || busy !== null}>
          <Icon name="play" />
          Go live
        </button>
        <button type="button" className="command" onClick={() => void stop()} disabled={status !== 'live' || busy !== null}>
          <Icon name="stop" />
          Stop
        </button>
        {(status === 'live' || status === 'stopped') && !editing && (
          <button type="button" className="command" onClick={() => void startEditing()} disabled={busy !== null}>
            <Icon name="edit" />
            Edit
          </button>
        )}
        {editing && (
          <>
            <button type="button" className="command go-live" onClick={() => void reviewChanges()} disabled={busy !== null}>
              <Icon name="play" />
              Publish changes
            </button>
            <button type="button" className="command" onClick={() => void discardChanges()} disabled={busy !== null}>
              Discard changes
            </button>
          </>
        )}
        <span className="command-sep" aria-hidden="true" />
        <button type="button" className="command icon" onClick={() => dispatch({ type: 'undo' })} disabled={readOnly || editor.past.length === 0} aria-label="Undo" title="Undo (Ctrl+Z)" aria-keyshortcuts="Control+Z"><Icon name="undo" /></button>
        <button type="button" className="command icon" onClick={() => dispatch({ type: 'redo' })} disabled={readOnly || editor.future.length === 0} aria-label="Redo" title="Redo (Ctrl+Y)" aria-keyshortcuts="Control+Y"><Icon name="redo" /></button>
        <button type="button" className="command icon" onClick={copySelected} disabled={!selected} aria-label="Copy tile" title="Copy tile (Ctrl+C)"><Icon name="copy" /></button>
        <button type="button" className="command icon" onClick={paste} disabled={!clipboard || readOnly} aria-label="Paste tile" title="Paste tile (Ctrl+V)"><Icon name="paste" /></button>
        <button type="button" className="command icon" onClick={removeSelected} disabled={!selected || readOnly} aria-label="Delete tile" title="Delete tile (Delete)"><Icon name="trash" /></button>
        <span className="command-sep" aria-hidden="true" />
        <button type="button" className="command icon" onClick={() => void flow.zoomIn()} aria-label="Zoom in" title="Zoom in (+)"><Icon name="zoomIn" /></button>
        <button type="button" className="command icon" onClick={() => void flow.zoomOut()} aria-label="Zoom out" title="Zoom out (−)"><Icon name="zoomOut" /></button>
        <button type="button" className="command icon" onClick={() => void flow.fitView({ padding: 0.08, maxZoom: 1.1 })} aria-label="Fit to screen" title="Fit to screen (0)"><Icon name="fit" /></button>
        <button type="button" className="command" onClick={() => setShowHelp(true)} aria-keyshortcuts="Shift+?"><Icon name="keyboard" />Keyboard shortcuts</button>
      </div>

      <div className="toast-region" aria-live="polite" role="status">
        {announcement && <div className={`toast toast-${announcement.tone}`}>{announcement.text}</div>}
      </div>

      {viewing !== null ? (
        <p className="notice">
          You are looking at version {viewing}, read-only.{' '}
          <button type="button" className="link-button" onClick={() => setViewing(null)}>
            Back to {editing ? `editing version ${(version ?? 0) + 1}` : 'the running version'}
          </button>
        </p>
      ) : editing ? (
        <p className="notice">
          You are editing version {(version ?? 0) + 1}. Contacts stay in version {version} until you publish the changes.{' '}
          {status === 'live' ? 'The counts on the tiles are those of the running version.' : ''}
        </p>
      ) : (
        readOnly && (
          <p className="notice">
            This journey is {status}: {status === 'live' || status === 'stopped' ? 'choose Edit to change it.' : 'it is read-only.'} {status === 'live' ? 'Counts on the tiles refresh every few seconds.' : ''}
          </p>
        )
      )}

      {errors && errors.length > 0 && (
        <section className="errors-panel" aria-labelledby="errors-title">
          <div className="errors-head">
            <h2 id="errors-title">
              {errors.length} {errors.length === 1 ? 'error' : 'errors'} to fix
            </h2>
            <button type="button" className="link-button" onClick={() => setErrors(null)}>
              Dismiss
            </button>
          </div>
          <ul aria-label="Errors" className="errors-list">
            {errors.map((error, index) => {
              const tile = error.tileId ? tiles.find((t) => t.id === error.tileId) : undefined;
              const prefix = tile && !error.message.includes(tileName(tile)) ? `${tileName(tile)}: ` : '';
              return (
                <li key={index}>
                  <button
                    type="button"
                    className="error-item"
                    onClick={() => {
                      if (tile) {
                        setMainTab('design');
                        setSelectedId(tile.id);
                        setSideTab('properties');
                      } else setMainTab('general');
                    }}
                  >
                    {tile ? <TileIcon type={tile.type} size={12} /> : <span className="error-dot" aria-hidden="true" />}
                    <span>
                      {prefix}
                      {humanize(error.message)}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {errors && errors.length === 0 && <p className="success-panel">No errors: this journey is ready to go live.</p>}
      {pathPreview && !previewing && (
        <p className="notice path-notice">
          The canvas shows a previewed path ({pathPreview.path.length} {pathPreview.path.length === 1 ? 'tile' : 'tiles'}).{' '}
          <button type="button" className="link-button" onClick={() => setPreviewing(true)}>Change it</button>{' '}
          <button type="button" className="link-button" onClick={() => setPathPreview(null)}>Clear path</button>
        </p>
      )}

      <Tabs
        label="Journey"
        idPrefix="main"
        active={mainTab}
        onChange={setMainTab}
        tabs={[
          { key: 'design', label: 'Design' },
          { key: 'general', label: 'General', badge: errorsByField.size > 0 ? <span className="tab-badge" aria-label="has errors">!</span> : undefined },
          { key: 'insights', label: 'Insights' },
          ...(version !== null ? [{ key: 'versions' as const, label: 'Versions' }] : []),
        ]}
        className="main-tabs"
      />
      <TabPanel idPrefix="main" tabKey="design" active={mainTab === 'design'} className="design-panel">
        <div className="design-area">
          <Canvas
            tiles={shownTiles}
            insights={insights.data?.tiles}
            errorsByTile={errorsByTile}
            summaries={summaries}
            nested={nested}
            selectedId={selectedId}
            onSelect={(tileId) => {
              setSelectedId(tileId);
              if (tileId) setSideTab('properties');
            }}
            adding={adding}
            options={options}
            onInsert={insertAt}
            onDropType={dropType}
            onCancelAdding={cancelAdding}
            onConnect={(source, field, target) => setTiles((current) => connect(current, source, field, target))}
            readOnly={readOnly}
            live={status === 'live'}
            path={pathPreview?.path}
          />
          <aside className="side-panel" aria-label="Tile panel">
            <Tabs label="Tile panel" idPrefix="side" active={sideTab} onChange={setSideTab} tabs={[{ key: 'toolbox', label: 'Toolbox' }, { key: 'properties', label: 'Properties' }]} />
            <TabPanel idPrefix="side" tabKey="toolbox" active={sideTab === 'toolbox'} className="side-body" focusable>
              <Toolbox disabled={readOnly} onChoose={(type) => startAdding(type)} onDragStart={(type) => startAdding(type, false)} onDragEnd={() => setAdding((a) => (a && !a.focus ? null : a))} />
            </TabPanel>
            <TabPanel idPrefix="side" tabKey="properties" active={sideTab === 'properties'} className="side-body" focusable>
              {selected ? (
                <Properties
                  key={selected.id}
                  tile={selected}
                  tiles={shownTiles}
                  errors={errorsByTile.get(selected.id) ?? []}
                  readOnly={readOnly}
                  attributes={attributes.data ?? []}
                  onChange={(tile, coalesce) => setTiles((current) => replaceTile(current, tile), coalesce)}
                  onDelete={removeSelected}
                />
              ) : (
                <p className="hint pad">Select a tile on the canvas to see and change its properties.</p>
              )}
            </TabPanel>
          </aside>
        </div>
      </TabPanel>
      <TabPanel idPrefix="main" tabKey="general" active={mainTab === 'general'} className="scroll-panel" focusable>
        <GeneralTab def={def} readOnly={readOnly} status={status} errorsByField={errorsByField} onChange={(patch, coalesce) => edit((d) => ({ ...d, ...patch }), coalesce)} />
      </TabPanel>
      <TabPanel idPrefix="main" tabKey="insights" active={mainTab === 'insights'} className="scroll-panel" focusable>
        <InsightsTab journeyId={id} tiles={tiles} insights={insights.data} milestones={milestones.data} status={status} />
      </TabPanel>
      <TabPanel idPrefix="main" tabKey="versions" active={mainTab === 'versions'} className="scroll-panel" focusable>
        <VersionsTab
          versions={versions.data}
          tilesOf={(number) => versions.data?.find((v) => v.version === number)?.tiles ?? []}
          current={version}
          viewing={viewing}
          onOpen={openVersion}
        />
      </TabPanel>
      {review && <PublishDialog changes={review.changes} errors={review.errors} live={running.tiles} next={tiles} busy={busy !== null} onPublish={(moves) => void publish(moves)} onClose={() => setReview(null)} />}
      {showHelp && <ShortcutsDialog onClose={() => setShowHelp(false)} />}
      {previewing && <PreviewPathDialog journeyId={id} tiles={tiles} onClose={() => setPreviewing(false)} onPreview={setPathPreview} />}
    </div>
  );
}
