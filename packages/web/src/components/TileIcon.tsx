import type { TileType } from '@waymark/core';
import { tileTypeInfo } from '../journey/tileTypes.ts';

export function TileIcon({ type, size = 20, inverted = false }: { type: TileType; size?: number; inverted?: boolean }) {
  const info = tileTypeInfo(type);
  return (
    <span className="tile-icon" style={{ background: inverted ? '#fff' : info.color, width: size + 10, height: size + 10 }} aria-hidden="true">
      <svg viewBox="0 0 24 24" width={size} height={size} fill="none" stroke={inverted ? info.color : '#fff'} strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d={info.icon} />
      </svg>
    </span>
  );
}
