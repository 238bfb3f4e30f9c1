import type { Tile } from '@waymark/core';
import { tileName } from '../journey/tileTypes.ts';

/** What a version changed from the one before (as GET /journeys/{id}/versions answers). */
export interface VersionChanges {
  added: string[];
  removed: { tileId: string; waiting: number; movedTo?: string | null }[];
  changed: string[];
}

export interface VersionSummary {
  version: number;
  publishedAt: string;
  publishedBy: string | null;
  publishedByName: string | null;
  changes: VersionChanges | null;
}

/** A tile of either version by id, named as the marketer named it (its id when it is gone from both). */
export function nameIn(tiles: readonly Tile[], tileId: string): string {
  const tile = tiles.find((t) => t.id === tileId);
  return tile ? tileName(tile) : tileId;
}

/** One line per kind of change, in words: "Added: Reminder", "Removed: Wait (2 contacts moved to Reminder)". */
export function describeChanges(changes: VersionChanges, before: readonly Tile[], after: readonly Tile[]): string[] {
  const lines: string[] = [];
  if (changes.added.length > 0) lines.push(`Added: ${changes.added.map((id) => nameIn(after, id)).join(', ')}`);
  if (changes.changed.length > 0) lines.push(`Changed: ${changes.changed.map((id) => nameIn(after, id)).join(', ')}`);
  if (changes.removed.length > 0) {
    const removed = changes.removed.map((tile) => {
      const name = nameIn(before, tile.tileId);
      if (tile.waiting === 0) return name;
      const where = tile.movedTo ? `moved to ${nameIn(after, tile.movedTo)}` : tile.movedTo === null ? 'left the journey' : 'waiting';
      return `${name} (${tile.waiting} contact${tile.waiting === 1 ? '' : 's'} ${where})`;
    });
    lines.push(`Removed: ${removed.join(', ')}`);
  }
  return lines.length > 0 ? lines : ['No tile changed (settings only)'];
}

/**
 * Every published version of the journey, newest first, with what it changed; any of them opens
 * read-only on the canvas. Tile names come from the versions themselves (`tilesOf`), so a removed
 * tile keeps its name.
 */
export function VersionsTab({ versions, tilesOf, current, viewing, onOpen }: { versions: VersionSummary[] | undefined; tilesOf: (version: number) => readonly Tile[]; current: number | null; viewing: number | null; onOpen: (version: number) => void }) {
  if (!versions) return <p className="muted pad">Loading the versions…</p>;
  if (versions.length === 0) return <p className="muted pad">This journey has not gone live yet: its first version is made when it does.</p>;
  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <ol className="versions-list" aria-label="Versions" reversed>
        {[...versions].reverse().map((version) => (
          <li key={version.version} className="version-item">
            <div className="version-head">
              <strong>Version {version.version}</strong>
              {version.version === current && <span className="badge badge-live">running</span>}
              <span className="muted small">
                {' '}published {new Date(version.publishedAt).toLocaleString()}
                {version.publishedByName ? ` by ${version.publishedByName}` : ''}
              </span>
              <button type="button" className="button small" onClick={() => onOpen(version.version)} aria-pressed={viewing === version.version}>
                Open version {version.version}
              </button>
            </div>
            <ul className="version-changes">
              {version.changes ? (
                describeChanges(version.changes, tilesOf(version.version - 1), tilesOf(version.version)).map((line) => <li key={line}>{line}</li>)
              ) : (
                <li>First version: went live</li>
              )}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
