import { assertNever, type Tile, type TileType } from '@waymark/core';

export interface TileTypeInfo {
  type: TileType;
  label: string;
  /** One line for the toolbox and the Add menu. */
  hint: string;
  color: string;
  group: 'Entry' | 'Messages' | 'Flow' | 'Actions';
  /** 24x24 SVG path drawn with a stroke. */
  icon: string;
}

export const TILE_TYPES: readonly TileTypeInfo[] = [
  { type: 'segmentGroup', label: 'Segment group', hint: 'Who enters: segments and subscription lists', color: '#2563eb', group: 'Entry', icon: 'M16 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9.5 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6M21 19v-1a4 4 0 0 0-3-3.8M16 4.2a3 3 0 0 1 0 5.6' },
  { type: 'formSubmitted', label: 'Form submitted', hint: 'Inbound: each form submission enters', color: '#0e7490', group: 'Entry', icon: 'M9 3h6v3H9zM7 5H5v16h14V5h-2M8 12h8M8 16h5' },
  { type: 'email', label: 'Email', hint: 'Send a published email', color: '#7c3aed', group: 'Messages', icon: 'M3 6h18v12H3zM3 7l9 6 9-6' },
  { type: 'scheduler', label: 'Scheduler', hint: 'Wait for a time, or until a date', color: '#b45309', group: 'Flow', icon: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 2' },
  { type: 'trigger', label: 'Trigger', hint: 'Wait for an interaction: true or false path', color: '#be185d', group: 'Flow', icon: 'M13 2L4 14h7l-1 8 9-12h-7z' },
  { type: 'splitter', label: 'Splitter', hint: 'Split contacts into branches by share', color: '#0f766e', group: 'Flow', icon: 'M4 12h6M10 12l4-6h6M10 12l4 6h6' },
  { type: 'condition', label: 'Condition', hint: 'Branch on a contact query at once', color: '#4338ca', group: 'Flow', icon: 'M12 3l9 9-9 9-9-9zM12 8v5M12 16v.5' },
  { type: 'activity', label: 'Activity', hint: 'Create a task, call or appointment', color: '#15803d', group: 'Actions', icon: 'M9 11l3 3 8-8M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9' },
  { type: 'launchWorkflow', label: 'Launch workflow', hint: 'Call a business workflow over HTTP', color: '#475569', group: 'Actions', icon: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-2.9 1.2V21a2 2 0 0 1-4 0v-.1a1.7 1.7 0 0 0-2.9-1.2l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1A1.7 1.7 0 0 0 3 14H3a2 2 0 0 1 0-4h.1a1.7 1.7 0 0 0 1.2-2.9l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1A1.7 1.7 0 0 0 10 3V3a2 2 0 0 1 4 0v.1a1.7 1.7 0 0 0 2.9 1.2l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1A1.7 1.7 0 0 0 21 10h0a2 2 0 0 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z' },
  { type: 'createLead', label: 'Create lead', hint: 'Hand an interested contact to sales', color: '#c2410c', group: 'Actions', icon: 'M12 2l3 7h7l-5.5 4.5 2 7.5-6.5-4.5L5.5 21l2-7.5L2 9h7z' },
];

const BY_TYPE = new Map(TILE_TYPES.map((info) => [info.type, info]));

export function tileTypeInfo(type: TileType): TileTypeInfo {
  const info = BY_TYPE.get(type);
  if (!info) throw new Error(`unknown tile type ${type}`);
  return info;
}

export const isEntryType = (type: TileType) => type === 'segmentGroup' || type === 'formSubmitted';

/** How a marketer sees a tile: its name, or its id when it has none. */
export const tileName = (tile: Tile) => tile.name?.trim() || tile.id;

/** The accessible name of a tile on the canvas, fixed by the contract: "<label> tile: <name>". */
export const tileAccessibleName = (tile: Tile) => `${tileTypeInfo(tile.type).label} tile: ${tileName(tile)}`;

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 7);
}

export function newTileId(type: TileType, taken: ReadonlySet<string>): string {
  for (;;) {
    const id = `${type}-${randomSuffix()}`;
    if (!taken.has(id)) return id;
  }
}

/** "Email 3": the first number not yet used by a tile of that name. */
export function newTileName(type: TileType, tiles: readonly Tile[]): string {
  const label = tileTypeInfo(type).label;
  const names = new Set(tiles.map((tile) => tile.name));
  for (let n = 1; ; n += 1) if (!names.has(`${label} ${n}`)) return `${label} ${n}`;
}

/** A new tile of a type with defaults that the schema accepts; records are chosen later. */
export function newTile(type: TileType, id: string, name: string): Tile {
  switch (type) {
    case 'segmentGroup':
      return { id, name, type, combine: 'union', segments: [], next: null };
    case 'formSubmitted':
      return { id, name, type, formId: '', next: null };
    case 'email':
      return { id, name, type, emailId: null, next: null };
    case 'scheduler':
      return { id, name, type, wait: { for: 'P1D' }, next: null };
    case 'trigger':
      return { id, name, type, rules: [], match: 'any', timeout: 'P7D', basis: 'contact', onTrue: null, onFalse: null };
    case 'splitter':
      return { id, name, type, mode: 'percentage', branches: [{ share: 50, next: null }, { share: 50, next: null }] };
    case 'condition':
      return { id, name, type, query: { attribute: 'email', op: 'exists' }, onTrue: null, onFalse: null };
    case 'activity':
      return { id, name, type, activityType: 'task', subject: 'Follow up', assignTo: 'journeyOwner', perAccount: false, next: null };
    case 'launchWorkflow':
      return { id, name, type, workflowId: null, perAccount: false, next: null };
    case 'createLead':
      return { id, name, type, perAccount: false, next: null };
    default:
      return assertNever(type);
  }
}
