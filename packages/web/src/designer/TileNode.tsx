import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo, useState } from 'react';
import type { Tile } from '@waymark/core';
import { TileIcon } from '../components/TileIcon.tsx';
import { exitsOf } from '../journey/graph.ts';
import { handleOffset, tileHeight, TILE_WIDTH } from '../journey/layout.ts';
import { tileName, tileTypeInfo } from '../journey/tileTypes.ts';
import type { TileInsight } from '../journey/types.ts';
import type { PathStep } from './PreviewPathDialog.tsx';

export interface TileNodeData extends Record<string, unknown> {
  tile: Tile;
  insight?: TileInsight;
  errors: string[];
  /** A short line about how the tile is set up ("Waits 3 days", "No email selected"). */
  summary: string;
  /** The nested tiles of a container tile (a segment group's segments and lists). */
  nested: readonly string[];
  live: boolean;
  /** Where a previewed contact's path passes this tile: its place in the path, time and outcome. */
  pathSteps: readonly (PathStep & { number?: number })[];
}

export type TileFlowNode = Node<TileNodeData, 'tile'>;

const n = (value: number | undefined) => (value ?? 0).toLocaleString();

/** The counts a marketer reads on a tile, by type, as [label, value] pairs. */
export function tileCounts(tile: Tile, insight: TileInsight | undefined): [string, string][] {
  const counts: [string, string][] = [];
  switch (tile.type) {
    case 'segmentGroup':
    case 'formSubmitted':
      counts.push(['Entered', n(insight?.entered)]);
      break;
    case 'email':
      counts.push(['Sent', n(insight?.sent)], ['Opened', n(insight?.opened)], ['Clicked', n(insight?.clicked)]);
      break;
    case 'scheduler':
      counts.push(['Waiting', n(insight?.waiting)], ['Processed', n(insight?.completed)]);
      break;
    case 'trigger':
      counts.push(['Waiting', n(insight?.waiting)], ['True', n(insight?.onTrue)], ['False', n(insight?.onFalse)]);
      break;
    case 'condition':
      counts.push(['True', n(insight?.onTrue)], ['False', n(insight?.onFalse)]);
      break;
    case 'splitter':
      tile.branches.forEach((_, index) => counts.push([`Branch ${index + 1}`, n(insight?.branches?.[index])]));
      break;
    case 'activity':
    case 'launchWorkflow':
    case 'createLead':
      counts.push(['Processed', n(insight?.completed)]);
      break;
  }
  return counts;
}

function TileNodeView({ data, selected }: NodeProps<TileFlowNode>) {
  const { tile, insight, errors, summary, nested, pathSteps } = data;
  const [expanded, setExpanded] = useState(false);
  const info = tileTypeInfo(tile.type);
  const exits = exitsOf(tile);
  const counts = tileCounts(tile, insight);
  return (
    <div
      className={`tile ${selected ? 'selected' : ''} ${errors.length > 0 ? 'has-errors' : ''} ${pathSteps.length > 0 ? 'on-path' : ''}`}
      style={{ width: TILE_WIDTH, height: tileHeight(tile), ['--tile-color' as string]: info.color }}
      title={errors.join('\n') || undefined}
    >
      <Handle type="target" position={Position.Left} id="in" className="tile-handle" isConnectableStart={false} />
      {pathSteps.length > 0 && (
        <div className="tile-path-badge">
          {pathSteps.map((step) => `${step.number ?? ''}. ${step.outcome} ${new Date(step.at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}`).join(' · ')}
        </div>
      )}
      <div className="tile-head">
        <TileIcon type={tile.type} size={16} />
        <div className="tile-titles">
          <span className="tile-type">{info.label}</span> <span className="tile-name">{tileName(tile)}</span>
        </div>
      </div>
      <div className="tile-summary"> {summary} </div>
      {nested.length > 0 && (
        <button
          type="button"
          className="tile-expand nodrag"
          aria-expanded={expanded}
          aria-label={`${expanded ? 'Collapse' : 'Expand'} nested tiles of ${tileName(tile)}`}
          onClick={(event) => {
            event.stopPropagation();
            setExpanded((open) => !open);
          }}
        >
          {expanded ? '▾' : '▸'} {nested.length}
        </button>
      )}
      {expanded && (
        <ul className="tile-nested" aria-label={`Nested tiles of ${tileName(tile)}`}>
          {nested.map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      )}
      <dl className="tile-counts">
        {counts.map(([label, value]) => (
          <div key={label} className="tile-count">
            <dt>{label}</dt> <dd>{value}</dd>{' '}
          </div>
        ))}
      </dl>
      {errors.length > 0 && (
        <div className="tile-error-flag">
          <span aria-hidden="true">⚠</span> {errors.length === 1 ? '1 error' : `${errors.length} errors`}
        </div>
      )}
      {exits.map((exit, index) => (
        <Handle
          key={exit.handle}
          type="source"
          position={Position.Right}
          id={exit.handle}
          className={`tile-handle exit-${exit.field === 'onFalse' ? 'false' : exit.field === 'onTrue' ? 'true' : 'next'}`}
          style={{ top: handleOffset(tile, index) }}
          title={exit.words || 'next'}
        />
      ))}
    </div>
  );
}

export const TileNode = memo(TileNodeView);
