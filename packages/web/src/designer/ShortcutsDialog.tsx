import { Dialog } from '../components/Dialog.tsx';

export const SHORTCUTS: [string, string][] = [
  ['A', 'Open the Add menu'],
  ['↑ ↓ ← →', 'Move between insertion points while adding a tile'],
  ['Enter', 'Drop the tile at the focused insertion point'],
  ['Escape', 'Cancel adding; deselect the tile'],
  ['Tab / Shift+Tab', 'Move between tiles and controls'],
  ['Enter on a tile', 'Select it and show its properties'],
  ['Delete', 'Delete the selected tile'],
  ['Ctrl+C / Ctrl+V', 'Copy the selected tile; paste it at an insertion point'],
  ['Ctrl+Z / Ctrl+Y', 'Undo / redo'],
  ['Ctrl+S', 'Save'],
  ['+ / − / 0', 'Zoom in / zoom out / fit to screen'],
  ['?', 'Show these shortcuts'],
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="table compact shortcuts">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">What they do</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td><kbd>{keys}</kbd></td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
