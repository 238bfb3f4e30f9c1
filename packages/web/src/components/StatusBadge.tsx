const LABELS: Record<string, string> = { draft: 'Draft', live: 'Live', stopped: 'Stopped', ended: 'Ended' };

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{LABELS[status] ?? status}</span>;
}
