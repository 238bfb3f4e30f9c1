// `npm run bench`: each benchmark runs in its own process (so peak RSS is its own), then one table.
// Numbers are compared with the limits measured on this 2-core machine (docs/architecture).
import { execFileSync } from 'node:child_process';

interface Run {
  label: string;
  script: string;
  args: string[];
  metric: (result: Record<string, number>) => number;
  unit: string;
  /** More of the result, shown after the measured value. */
  detail?: (result: Record<string, number>) => string;
  target: string;
  limit?: number;
  /** More rows of the table from the same run (a costly setup measured several ways). */
  more?: Omit<Run, 'script' | 'args' | 'more'>[];
}

const contacts = process.env.BENCH_CONTACTS ?? '100000';
// The same V8 flags `waymark start` and `waymark worker` run with: a small young generation keeps
// a worker's resident memory down (and, measured here, costs no throughput).
const WORKER_NODE_FLAGS = ['--max-semi-space-size=4'];
const runs: Run[] = [
  { label: 'contact-steps/s, PostgreSQL (2 workers)', script: 'steps.ts', args: ['postgres', contacts], metric: (r) => r.stepsPerSecond!, unit: 'steps/s', target: '>= 30 000', limit: 97_000 },
  { label: 'contact-steps/s, PGlite (1 worker)', script: 'steps.ts', args: ['pglite', contacts], metric: (r) => r.stepsPerSecond!, unit: 'steps/s', target: '>= 10 000', limit: 32_000 },
  { label: 'emails rendered + sent to local SMTP', script: 'emails.ts', args: [process.env.BENCH_EMAILS ?? '5000'], metric: (r) => r.emailsPerSecond!, unit: 'emails/s', target: '>= 1 000', limit: 1_600 },
  {
    label: 'accepted event -> trigger path, p99 (p50), PostgreSQL @ 500 events/s',
    script: 'events.ts',
    args: ['500', process.env.BENCH_EVENT_SECONDS ?? '20'],
    metric: (r) => r.p99Ms!,
    detail: (r) => `(p50 ${r.p50Ms} ms)`,
    unit: 'ms',
    target: '<= 200',
  },
  { label: 'workflow calls signed + sent to local endpoint', script: 'workflows.ts', args: [process.env.BENCH_WORKFLOWS ?? '5000'], metric: (r) => r.callsPerSecond!, unit: 'calls/s', target: '>= 1 000' },
  {
    label: 'contacts imported (CSV via the API), PostgreSQL',
    script: 'import.ts',
    args: [process.env.BENCH_IMPORT_ROWS ?? '200000'],
    metric: (r) => r.rowsPerSecond!,
    detail: (r) => `(re-run ${r.rerunRowsPerSecond!.toLocaleString('en-US')}/s)`,
    unit: 'contacts/s',
    target: '>= 20 000',
  },
  {
    label: 'segment evaluated whole, 1M contacts + 5M events',
    script: 'segments.ts',
    args: [process.env.BENCH_SEGMENT_CONTACTS ?? '1000000'],
    metric: (r) => r.fullEvaluationSeconds!,
    detail: (r) => `(again unchanged ${r.reevaluationSeconds} s)`,
    unit: 's',
    target: '<= 5',
    more: [
      { label: 'one contact re-evaluated after an update, p99 (p50)', metric: (r) => r.incrementalP99Ms!, detail: (r) => `(p50 ${r.incrementalP50Ms} ms)`, unit: 'ms', target: '<= 20' },
      { label: 'worker segment upkeep for that change, p99 (p50)', metric: (r) => r.upkeepP99Ms!, detail: (r) => `(p50 ${r.upkeepP50Ms} ms)`, unit: 'ms', target: '' },
    ],
  },
  {
    label: 'forecast over 1M contacts via HTTP, PostgreSQL (median of 5)',
    script: 'forecast.ts',
    args: [process.env.BENCH_FORECAST_CONTACTS ?? '1000000'],
    metric: (r) => r.forecastMs!,
    detail: (r) => `(cold ${r.coldMs} ms; a bare count(*) of the contacts took ${r.bareCountMs} ms in the same run)`,
    unit: 'ms',
    target: '<= 2 000',
  },
];

const rows: string[][] = [];
for (const run of runs) {
  process.stderr.write(`running ${run.label} ...\n`);
  const output = execFileSync(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', new URL(`./${run.script}`, import.meta.url).pathname, ...run.args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const result = JSON.parse(output.trim().split('\n').pop()!) as Record<string, number>;
  for (const row of [run, ...(run.more ?? [])]) {
    const value = row.metric(result);
    rows.push([row.label, `${value.toLocaleString('en-US')} ${row.unit}${row.detail ? ` ${row.detail(result)}` : ''}`, row.target, row.limit ? `${(value / row.limit).toFixed(2)} of ${row.limit.toLocaleString('en-US')}` : '', `${result.maxRssMb} MB`]);
  }
}

const header = ['benchmark', 'measured', 'target', 'ratio to raw limit', 'peak RSS'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
