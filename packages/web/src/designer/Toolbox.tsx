import type { DragEvent } from 'react';
import type { TileType } from '@waymark/core';
import { TileIcon } from '../components/TileIcon.tsx';
import { TILE_TYPES } from '../journey/tileTypes.ts';
import { TILE_DRAG_TYPE } from './Canvas.tsx';

/** One draggable button per tile type: drag it onto an insertion point, or press it to choose one by keyboard. */
export function Toolbox({ disabled, onChoose, onDragStart, onDragEnd }: { disabled: boolean; onChoose: (type: TileType) => void; onDragStart: (type: TileType) => void; onDragEnd: () => void }) {
  const groups = [...new Set(TILE_TYPES.map((t) => t.group))];
  return (
    <div className="toolbox">
      <p className="hint">Drag a tile onto the canvas, or select it and choose where it goes.</p>
      {groups.map((group) => (
        <section key={group} aria-label={group}>
          <h3 className="toolbox-group">{group}</h3>
          <ul className="toolbox-list">
            {TILE_TYPES.filter((t) => t.group === group).map((info) => (
              <li key={info.type}>
                <button
                  type="button"
                  className="toolbox-item"
                  draggable={!disabled}
                  disabled={disabled}
                  aria-label={info.label}
                  aria-describedby={`toolbox-hint-${info.type}`}
                  style={{ ['--tile-color' as string]: info.color }}
                  onClick={() => onChoose(info.type)}
                  onDragStart={(event: DragEvent) => {
                    event.dataTransfer.setData(TILE_DRAG_TYPE, info.type);
                    event.dataTransfer.setData('text/plain', info.label);
                    event.dataTransfer.effectAllowed = 'copy';
                    // Showing the insertion points changes the page; let the drag start first.
                    window.setTimeout(() => onDragStart(info.type), 0);
                  }}
                  onDragEnd={onDragEnd}
                >
                  <TileIcon type={info.type} size={16} />
                  <span className="toolbox-text">
                    <span className="toolbox-label">{info.label}</span>
                    <span className="toolbox-hint" id={`toolbox-hint-${info.type}`}>{info.hint}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
