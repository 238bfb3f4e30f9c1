import {
  Background,
  MarkerType,
  MiniMap,
  ReactFlow,
  ViewportPortal,
  useReactFlow,
  type Connection,
  type Edge,
  type NodeChange,
  type NodeTypes,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { Tile } from '@waymark/core';
import { exitsOf, fieldForHandle, type InsertionOption, type InsertionPoint } from '../journey/graph.ts';
import { handleOffset, layoutTiles, tileHeight, TILE_WIDTH, type Point } from '../journey/layout.ts';
import { tileAccessibleName, tileName, tileTypeInfo } from '../journey/tileTypes.ts';
import type { TileInsight } from '../journey/types.ts';
import { TileNode, type TileFlowNode } from './TileNode.tsx';
import type { PathStep } from './PreviewPathDialog.tsx';

export const TILE_DRAG_TYPE = 'application/x-waymark-tile';

const nodeTypes: NodeTypes = { tile: TileNode };

export interface AddingState {
  tile: Tile;
  /** Keyboard and menu adds move focus to the first insertion point; a drag does not. */
  focus: boolean;
}

export interface CanvasProps {
  tiles: Tile[];
  insights?: Record<string, TileInsight>;
  errorsByTile: Map<string, string[]>;
  summaries: Map<string, string>;
  /** What container tiles hold (a segment group's segments), shown when the tile is expanded. */
  nested?: Map<string, string[]>;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  adding: AddingState | null;
  options: InsertionOption[];
  onInsert: (point: InsertionPoint) => void;
  onDropType: (type: string, point: InsertionPoint) => void;
  onCancelAdding: () => void;
  onConnect: (sourceId: string, field: string, targetId: string) => void;
  readOnly: boolean;
  live: boolean;
  /** A previewed contact's path, highlighted on the tiles it passes. */
  path?: readonly PathStep[];
}

function edgeLabel(tile: Tile, field: string): string | undefined {
  if (field === 'onTrue') return 'True';
  if (field === 'onFalse') return 'False';
  if (tile.type === 'splitter' && field.startsWith('branches.')) {
    const index = Number(field.split('.')[1]);
    const share = tile.branches[index]?.share ?? 0;
    return `Branch ${index + 1} · ${share}${tile.mode === 'percentage' ? '%' : ''}`;
  }
  return undefined;
}

const EMPTY_POSITIONS = new Map<string, Point>();
const NO_ERRORS: string[] = [];
const NO_NESTED: string[] = [];
const NO_STEPS: PathStep[] = [];
const EDGE_COLORS: Record<string, string> = { onTrue: '#15803d', onFalse: '#b91c1c' };
const PATH_COLOR = '#4f46e5';

export function Canvas(props: CanvasProps) {
  const { tiles, insights, errorsByTile, summaries, nested, selectedId, onSelect, adding, options, onInsert, onDropType, onCancelAdding, onConnect, readOnly, live, path } = props;
  const flow = useReactFlow();
  const layout = useMemo(() => layoutTiles(tiles), [tiles]);
  // Positions the user dragged tiles to, kept until the pipeline's shape changes (a new layout).
  const [dragged, setDragged] = useState<{ layout: Map<string, Point>; at: Map<string, Point> }>({ layout, at: new Map() });
  const moved = dragged.layout === layout ? dragged.at : EMPTY_POSITIONS;
  const position = useCallback((id: string) => moved.get(id) ?? layout.get(id) ?? { x: 0, y: 0 }, [moved, layout]);

  // Node data keeps its identity while only positions change (a drag), so memoised tiles do not re-render.
  const dataById = useMemo(
    () => {
      const stepsByTile = new Map<string, (PathStep & { number: number })[]>();
      path?.forEach((step, index) => stepsByTile.set(step.tileId, [...(stepsByTile.get(step.tileId) ?? []), { ...step, number: index + 1 }]));
      return new Map(
        tiles.map((tile) => [
          tile.id,
          { tile, insight: insights?.[tile.id], errors: errorsByTile.get(tile.id) ?? NO_ERRORS, summary: summaries.get(tile.id) ?? '', nested: nested?.get(tile.id) ?? NO_NESTED, live, pathSteps: stepsByTile.get(tile.id) ?? NO_STEPS },
        ]),
      );
    },
    [tiles, insights, errorsByTile, summaries, nested, live, path],
  );

  const nodes = useMemo<TileFlowNode[]>(
    () =>
      tiles.map((tile) => ({
        id: tile.id,
        type: 'tile',
        position: position(tile.id),
        data: dataById.get(tile.id)!,
        ariaLabel: tileAccessibleName(tile),
        selected: tile.id === selectedId,
        width: TILE_WIDTH,
        height: tileHeight(tile),
        connectable: !readOnly,
        deletable: false,
      })),
    [tiles, dataById, selectedId, position, readOnly],
  );

  const edges = useMemo<Edge[]>(() => {
    const byId = new Map(tiles.map((tile) => [tile.id, tile]));
    // The hops a previewed path takes, from one tile to the next.
    const hops = new Set((path ?? []).slice(1).map((step, index) => `${path![index]!.tileId}>${step.tileId}`));
    return tiles.flatMap((tile) =>
      exitsOf(tile)
        .filter((exit) => exit.target && byId.has(exit.target))
        .map((exit) => {
          const onPath = hops.has(`${tile.id}>${exit.target}`);
          const color = onPath ? PATH_COLOR : (EDGE_COLORS[exit.field] ?? '#94a3b8');
          return {
            animated: onPath,
            id: `${tile.id}:${exit.field}`,
            source: tile.id,
            sourceHandle: exit.handle,
            target: exit.target!,
            targetHandle: 'in',
            type: 'smoothstep',
            label: edgeLabel(tile, exit.field),
            labelBgPadding: [6, 3] as [number, number],
            labelBgBorderRadius: 4,
            labelStyle: { fill: color, fontWeight: 600, fontSize: 12 },
            style: { stroke: color, strokeWidth: onPath ? 4 : 2 },
            markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
            focusable: false,
            deletable: false,
            ariaLabel: `Path from ${tileName(tile)}${exit.words ? ` ${exit.words}` : ''} to ${tileName(byId.get(exit.target!)!)}`,
          } satisfies Edge;
        }),
    );
  }, [tiles, path]);

  const onNodesChange = useCallback(
    (changes: NodeChange<TileFlowNode>[]) => {
      let next: Map<string, Point> | null = null;
      for (const change of changes) {
        if (change.type === 'position' && change.position) {
          next ??= new Map(moved);
          next.set(change.id, change.position);
        } else if (change.type === 'select' && change.selected) onSelect(change.id);
      }
      if (next) setDragged({ layout, at: next });
    },
    [moved, layout, onSelect],
  );

  const handleConnect = useCallback(
    (connection: Connection) => {
      if (readOnly || !connection.target) return;
      onConnect(connection.source, fieldForHandle(connection.sourceHandle), connection.target);
    },
    [onConnect, readOnly],
  );

  // Where each insertion point sits, in flow coordinates: the middle of its edge, or just past a path's end.
  const pointPositions = useMemo(() => {
    const byId = new Map(tiles.map((tile) => [tile.id, tile]));
    const result = new Map<string, Point>();
    for (const option of options) {
      if (option.point.kind === 'start') {
        const first = tiles[0];
        if (first) {
          const p = position(first.id);
          result.set(option.key, { x: p.x - 48, y: p.y + tileHeight(first) / 2 });
        }
        continue;
      }
      const { tileId, field } = option.point;
      const tile = byId.get(tileId);
      if (!tile) continue;
      const exits = exitsOf(tile);
      const index = exits.findIndex((exit) => exit.field === field);
      const exit = exits[index]!;
      const p = position(tile.id);
      const x1 = p.x + TILE_WIDTH;
      const y1 = p.y + handleOffset(tile, index);
      const target = exit.target ? byId.get(exit.target) : undefined;
      if (target) {
        const q = position(target.id);
        result.set(option.key, { x: (x1 + q.x) / 2, y: (y1 + q.y + tileHeight(target) / 2) / 2 });
      } else result.set(option.key, { x: x1 + 44, y: y1 });
    }
    return result;
  }, [options, tiles, position]);

  // A tile added or removed: keep the whole pipeline in view while it is small enough to read.
  const tileCount = tiles.length;
  const lastCount = useRef(tileCount);
  useEffect(() => {
    if (lastCount.current === tileCount) return;
    lastCount.current = tileCount;
    if (tileCount > 0 && tileCount <= 40) window.requestAnimationFrame(() => void flow.fitView({ padding: 0.08, maxZoom: 1.1, duration: 200 }));
  }, [tileCount, flow]);

  const pointRefs = useRef(new Map<string, HTMLButtonElement>());
  const emptyStartRef = useRef<HTMLButtonElement>(null);

  const focusPoint = useCallback(
    (index: number) => {
      const option = options[index];
      if (!option) return;
      const element = tiles.length === 0 ? emptyStartRef.current : pointRefs.current.get(option.key);
      if (!element) return;
      element.focus({ preventScroll: true });
      // Bring it into view when it is outside the visible canvas.
      const at = pointPositions.get(option.key);
      const pane = element.closest('.react-flow')?.getBoundingClientRect();
      const box = element.getBoundingClientRect();
      if (at && pane && (box.left < pane.left || box.right > pane.right || box.top < pane.top || box.bottom > pane.bottom)) {
        void flow.setCenter(at.x, at.y, { zoom: flow.getZoom(), duration: 150 });
      }
    },
    [options, tiles.length, pointPositions, flow],
  );

  // Choosing a tile type moves focus to the first insertion point.
  const addingTile = adding?.tile;
  const wantsFocus = adding?.focus;
  useEffect(() => {
    if (!addingTile || !wantsFocus) return;
    const frame = requestAnimationFrame(() => focusPoint(0));
    return () => cancelAnimationFrame(frame);
    // Only when adding starts, not on every re-render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [addingTile, wantsFocus]);

  const onPointKey = (event: KeyboardEvent, index: number) => {
    const last = options.length - 1;
    let to = -1;
    if (event.key === 'ArrowDown' || event.key === 'ArrowRight') to = index === last ? 0 : index + 1;
    else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') to = index === 0 ? last : index - 1;
    else if (event.key === 'Home') to = 0;
    else if (event.key === 'End') to = last;
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancelAdding();
      return;
    }
    if (to < 0) return;
    event.preventDefault();
    event.stopPropagation();
    focusPoint(to);
  };

  const dropHandlers = (point: InsertionPoint) => ({
    onDragOver: (event: DragEvent) => {
      if (event.dataTransfer.types.includes(TILE_DRAG_TYPE)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
      }
    },
    onDrop: (event: DragEvent) => {
      const type = event.dataTransfer.getData(TILE_DRAG_TYPE);
      if (!type) return;
      event.preventDefault();
      event.stopPropagation();
      onDropType(type, point);
    },
  });

  const addingLabel = adding ? tileTypeInfo(adding.tile.type).label : '';

  return (
    <div className={`canvas ${adding ? 'is-adding' : ''}`}>
      {adding && (
        <div className="adding-banner" role="status">
          Choose where the {addingLabel} tile goes: arrow keys move between the insertion points, Enter drops, Escape cancels.
          <button type="button" className="link-button" onClick={onCancelAdding}>
            Cancel
          </button>
        </div>
      )}
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onConnect={handleConnect}
        onNodeClick={(_, node) => onSelect(node.id)}
        onPaneClick={() => onSelect(null)}
        nodesDraggable
        nodesConnectable={!readOnly}
        edgesFocusable={false}
        deleteKeyCode={null}
        panActivationKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        fitView
        fitViewOptions={{ padding: 0.08, maxZoom: 1.1 }}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements={tiles.length > 600}
        proOptions={{ hideAttribution: true }}
        aria-label="Journey canvas"
      >
        <Background gap={24} color="#e2e8f0" />
        {tiles.length > 8 && <MiniMap pannable zoomable ariaLabel="Journey overview map" nodeColor={(node) => tileTypeInfo((node.data as { tile: Tile }).tile.type).color} nodeStrokeWidth={0} />}
        {adding && tiles.length > 0 && (
          <ViewportPortal>
            {options.map((option, index) => {
              const at = pointPositions.get(option.key);
              if (!at) return null;
              return (
                <button
                  key={option.key}
                  ref={(element) => {
                    if (element) pointRefs.current.set(option.key, element);
                    else pointRefs.current.delete(option.key);
                  }}
                  type="button"
                  className="insert-point nodrag nopan"
                  style={{ transform: `translate(${at.x}px, ${at.y}px) translate(-50%, -50%)` }}
                  aria-label={option.label}
                  title={option.label}
                  onClick={() => onInsert(option.point)}
                  onKeyDown={(event) => onPointKey(event, index)}
                  {...dropHandlers(option.point)}
                >
                  <span aria-hidden="true">+</span>
                </button>
              );
            })}
          </ViewportPortal>
        )}
      </ReactFlow>
      {tiles.length === 0 && (
        <div className="empty-canvas">
          {adding ? (
            <button
              ref={emptyStartRef}
              type="button"
              className="start-drop"
              aria-label="Insert here: start"
              onClick={() => onInsert({ kind: 'start' })}
              onKeyDown={(event) => onPointKey(event, 0)}
              {...dropHandlers({ kind: 'start' })}
            >
              <span aria-hidden="true" className="start-plus">+</span>
              <span aria-hidden="true">Drop the {addingLabel} tile here to start</span>
            </button>
          ) : (
            <div className="empty-canvas-hint">
              <strong>An empty canvas.</strong>
              <span>{readOnly ? 'This journey has no tiles.' : 'Drag a Segment group from the Toolbox, or choose Add to start your journey.'}</span>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
