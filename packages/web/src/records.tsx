import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { listAll } from './api.ts';

export interface EmailRecord {
  id: string;
  name: string;
  subject: string;
  html: string;
  text?: string | null;
  fromName?: string | null;
  fromAddress?: string | null;
  status: 'draft' | 'live';
}
export interface SegmentRecord {
  id: string;
  name: string;
  kind: 'dynamic' | 'static';
  query?: unknown;
}
export interface FormRecord {
  id: string;
  name: string;
  status: 'draft' | 'live';
  fields?: unknown[];
}
export interface WorkflowRecord {
  id: string;
  name: string;
  url: string;
}
export interface NamedRecord {
  id: string;
  name: string;
  isDefault?: boolean;
}

export type RecordKind = 'email' | 'segment' | 'form' | 'workflow' | 'subscriptionList' | 'contentSettings';

export interface RecordsState {
  email: EmailRecord[];
  segment: SegmentRecord[];
  form: FormRecord[];
  workflow: WorkflowRecord[];
  subscriptionList: NamedRecord[];
  contentSettings: NamedRecord[];
}

export const RECORD_PATHS: Record<RecordKind, string> = {
  email: '/emails',
  segment: '/segments',
  form: '/forms',
  workflow: '/workflows',
  subscriptionList: '/subscription-lists',
  contentSettings: '/content-settings',
};

export const RECORD_LABELS: Record<RecordKind, string> = {
  email: 'Email',
  segment: 'Segment',
  form: 'Form',
  workflow: 'Workflow',
  subscriptionList: 'Subscription list',
  contentSettings: 'Content settings',
};

const EMPTY: RecordsState = { email: [], segment: [], form: [], workflow: [], subscriptionList: [], contentSettings: [] };

interface RecordsContextValue {
  records: RecordsState;
  loaded: boolean;
  reload: (kind?: RecordKind) => Promise<void>;
  /** Reloads everything unless it was loaded in the last few seconds. */
  refresh: () => Promise<void>;
  nameOf: (kind: RecordKind, id: string | null | undefined) => string | undefined;
  /** A server message with the ids of known records replaced by their names. */
  humanize: (text: string) => string;
}

const RecordsContext = createContext<RecordsContextValue>({ records: EMPTY, loaded: false, reload: async () => {}, refresh: async () => {}, nameOf: () => undefined, humanize: (text) => text });

/** The records tiles point at (emails, segments, forms, ...), loaded once per designer and refreshed after a quick create. */
export function RecordsProvider({ children }: { children: ReactNode }) {
  const [records, setRecords] = useState<RecordsState>(EMPTY);
  const [loaded, setLoaded] = useState(false);
  const loadedAt = useRef(0);

  const reload = useCallback(async (kind?: RecordKind) => {
    if (!kind) loadedAt.current = Date.now();
    const kinds = kind ? [kind] : (Object.keys(RECORD_PATHS) as RecordKind[]);
    const lists = await Promise.all(kinds.map((k) => listAll<unknown>(RECORD_PATHS[k]).catch(() => [])));
    setRecords((current) => {
      const next = { ...current };
      kinds.forEach((k, i) => ((next as Record<RecordKind, unknown[]>)[k] = lists[i]!));
      return next;
    });
    setLoaded(true);
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const refresh = useCallback(async () => {
    if (Date.now() - loadedAt.current > 5000) await reload();
  }, [reload]);

  const value = useMemo<RecordsContextValue>(() => {
    const maps = Object.fromEntries(Object.entries(records).map(([k, list]) => [k, new Map((list as NamedRecord[]).map((r) => [r.id, r.name]))])) as Record<RecordKind, Map<string, string>>;
    const everyName = new Map<string, string>();
    for (const map of Object.values(maps)) for (const [id, name] of map) everyName.set(id, name);
    const humanize = (text: string) => text.replace(/"([^"]{8,200})"/g, (whole, id: string) => (everyName.has(id) ? `"${everyName.get(id)}"` : whole));
    return { records, loaded, reload, refresh, nameOf: (kind, id) => (id ? maps[kind].get(id) : undefined), humanize };
  }, [records, loaded, reload, refresh]);

  return <RecordsContext.Provider value={value}>{children}</RecordsContext.Provider>;
}

export const useRecords = () => useContext(RecordsContext);
