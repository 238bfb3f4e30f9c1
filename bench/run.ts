// `npm run bench`: each benchmark runs in its own process (so peak RSS is its own), then one table.
// Numbers are compared with the limits measured on this 2-core machine (docs/architecture).
import { execFileSync } from 'node:child_process';

interface Run {
  label: string;
  script: string;
  args: string[];
  metric: (result: Record<string, number>) => number;
  unit: string;
  target: string;
  limit?: number;
}

const contacts = process.env.BENCH_CONTACTS ?? '100000';
// The same V8 flags `waymark start` and `waymark worker` run with: a small young generation keeps
// a worker's resident memory down (and, measured here, costs no throughput).
const WORKER_NODE_FLAGS = ['--max-semi-space-size=4'];
const runs: Run[] = [
  { label: 'contact-steps/s, PostgreSQL (2 workers)', script: 'steps.ts', args: ['postgres', contacts], metric: (r) => r.stepsPerSecond!, unit: 'steps/s', target: '>= 30 000', limit: 97_000 },
  { label: 'contact-steps/s, PGlite (1 worker)', script: 'steps.ts', args: ['pglite', contacts], metric: (r) => r.stepsPerSecond!, unit: 'steps/s', target: '>= 10 000', limit: 32_000 },
  { label: 'emails rendered + sent to local SMTP', script: 'emails.ts', args: [process.env.BENCH_EMAILS ?? '5000'], metric: (r) => r.emailsPerSecond!, unit: 'emails/s', target: '>= 1 000', limit: 1_600 },
];

const rows: string[][] = [];
for (const run of runs) {
  process.stderr.write(`running ${run.label} ...\n`);
  const output = execFileSync(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', new URL(`./${run.script}`, import.meta.url).pathname, ...run.args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const result = JSON.parse(output.trim().split('\n').pop()!) as Record<string, number>;
  const value = run.metric(result);
  rows.push([run.label, `${value.toLocaleString('en-US')} ${run.unit}`, run.target, run.limit ? `${(value / run.limit).toFixed(2)} of ${run.limit.toLocaleString('en-US')}` : '', `${result.maxRssMb} MB`]);
}

const header = ['benchmark', 'measured', 'target', 'ratio to raw limit', 'peak RSS'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
