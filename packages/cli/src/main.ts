import { UsageError } from './args.ts';
import { importCommand, importHelp } from './importContacts.ts';
import { migrate, migrateHelp } from './migrate.ts';
import { start, startHelp } from './start.ts';
import { users, usersHelp } from './users.ts';
import { worker, workerHelp } from './worker.ts';

export const mainHelp = `Usage: waymark <command> [options]

Commands:
  start     HTTP API, designer and engine worker in one process (embedded PostgreSQL by default)
  worker    an extra engine worker against a shared PostgreSQL (scale-out)
  migrate   apply database migrations and exit
  import    import contacts from a CSV file through the HTTP API
  users     create-admin: create or reset an organization admin and print a new password

Run "waymark <command> --help" for the options of a command.`;

const commands: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  start: { run: start, help: startHelp },
  worker: { run: worker, help: workerHelp },
  migrate: { run: migrate, help: migrateHelp },
  import: { run: importCommand, help: importHelp },
  users: { run: users, help: usersHelp },
};

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(mainHelp);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] !== undefined ? commands[rest[0]] : undefined;
    console.log(topic?.help ?? mainHelp);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      // One line per problem: settings are checked all at once.
      for (const problem of error.message.split('\n')) console.error(`waymark: ${problem}`);
      const about = error.command ?? (command ? name : undefined);
      console.error(about ? `Run "waymark ${about} --help" for its options.` : `Commands: ${Object.keys(commands).join(', ')}. Run "waymark --help" for more.`);
      return 2;
    }
    console.error(`waymark ${name} failed:`, error);
    return 1;
  }
}
