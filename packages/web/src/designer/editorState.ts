import type { JourneyDefinition } from '@waymark/core';

/** The designer's document with undo and redo. Edits with the same `coalesce` key within a second are one step (typing a name). */
export interface EditorState {
  present: JourneyDefinition;
  past: JourneyDefinition[];
  future: JourneyDefinition[];
  /** The definition as last saved: the document is dirty while present differs. */
  saved: JourneyDefinition;
  last?: { key: string; at: number };
}

export type EditorAction =
  | { type: 'load'; def: JourneyDefinition }
  | { type: 'edit'; update: (def: JourneyDefinition) => JourneyDefinition; coalesce?: string }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'saved'; def: JourneyDefinition };

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1000;

export function initEditor(def: JourneyDefinition): EditorState {
  return { present: def, past: [], future: [], saved: def };
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'load':
      return initEditor(action.def);
    case 'edit': {
      const next = action.update(state.present);
      if (next === state.present) return state;
      const now = Date.now();
      const merge = action.coalesce && state.last?.key === action.coalesce && now - state.last.at < COALESCE_MS;
      return {
        ...state,
        present: next,
        past: merge ? state.past : [...state.past.slice(-HISTORY_LIMIT + 1), state.present],
        future: [],
        last: action.coalesce ? { key: action.coalesce, at: now } : undefined,
      };
    }
    case 'undo': {
      const previous = state.past[state.past.length - 1];
      if (!previous) return state;
      return { ...state, present: previous, past: state.past.slice(0, -1), future: [state.present, ...state.future], last: undefined };
    }
    case 'redo': {
      const [next, ...rest] = state.future;
      if (!next) return state;
      return { ...state, present: next, past: [...state.past, state.present], future: rest, last: undefined };
    }
    case 'saved':
      return { ...state, saved: action.def };
  }
}
