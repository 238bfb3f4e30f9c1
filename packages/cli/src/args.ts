import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: reported with exit code 2, like other Unix tools. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode (unknown flags and stray arguments are errors), as a UsageError. */
export function parseFlags<const T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

export function parsePositiveInt(value: string, source: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new UsageError(`${source} must be a positive whole number, got "${value}"`);
  return n;
}
