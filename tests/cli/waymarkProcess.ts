import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../packages/cli/bin/waymark.js', import.meta.url));

export interface WaymarkProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in stdout, or rejects when the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Runs `node packages/cli/bin/waymark.js ...args` from the repository root, as `npx waymark`
 * would, with an environment free of the caller's WAYMARK_* settings plus `env`.
 */
export function runWaymark(args: string[], env: Record<string, string> = {}): WaymarkProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WAYMARK_') && name !== 'PORT'));
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let all = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    all += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    all += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const listener of listeners) listener();
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));

  return {
    child,
    output: () => all,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitFor(pattern, timeoutMs = 45_000) {
      return new Promise((resolve, reject) => {
        const done = () => {
          listeners.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          const match = pattern.exec(stdout);
          if (match) {
            done();
            resolve(match);
          } else if (ended || child.exitCode !== null) {
            done();
            reject(new Error(`waymark ${args.join(' ')} ended before printing ${pattern}:\n${all}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`waymark ${args.join(' ')} did not print ${pattern} within ${timeoutMs} ms:\n${all}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

/** Resolves with the exit code, or rejects after `timeoutMs`. */
export async function exitCodeWithin(proc: WaymarkProcess, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waymark did not exit within ${timeoutMs} ms:\n${proc.output()}`)), timeoutMs);
  });
  try {
    const { code } = await Promise.race([proc.exited, timeout]);
    return code;
  } finally {
    clearTimeout(timer);
  }
}
