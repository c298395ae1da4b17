import { parseArgs } from 'node:util';
import type { CliArguments, CliCommand, CliIo } from './command';
import { EXIT_USAGE, reportError, usageError } from './user-errors';

/** A command of the registry: its one-line summary, and its module, loaded only when it runs. */
interface CommandEntry {
  summary: string;
  load(): Promise<{ command: CliCommand }>;
}

/**
 * The commands, in the order `pantheon --help` lists them. A new command is a module under
 * `commands/` exporting `command` and one entry here.
 */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  init: {
    summary: 'create an app: configuration, an actor with a tool and its test, Dockerfile',
    load: () => import('./commands/init'),
  },
  dev: {
    summary: 'run the app for development: restarts on change, inspector page, offline model',
    load: () => import('./commands/dev'),
  },
  start: {
    summary: 'run the app for production: JSON logs, /healthz, /readyz, /metrics, drain on SIGTERM',
    load: () => import('./commands/start'),
  },
  ask: {
    summary: 'ask an actor of a running instance and print its answer',
    load: () => import('./commands/ask'),
  },
  actors: {
    summary: 'list the actors of a running instance',
    load: () => import('./commands/actors'),
  },
  health: {
    summary: 'check that a running instance is alive (or ready): the container health check',
    load: () => import('./commands/health'),
  },
};

function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`,
  );
  return `Usage: pantheon <command> [options]

Commands:
${lines.join('\n')}

Options:
  -h, --help     show this help (pantheon <command> --help for a command's)
  -v, --version  print the version

The configuration is read from pantheon.config.{ts,mts,js,mjs,json} and PANTHEON_* variables
(docs/configuration.md).
`;
}

function parse(command: CliCommand, argv: readonly string[]): CliArguments {
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw usageError(`pantheon ${command.name}: ${reason}`, { command: command.name });
  }
}

/**
 * Runs `pantheon <argv>` and resolves the exit code: 0 on success, 1 on failure, 2 for a
 * malformed command line. Errors are printed on `io.stderr`, never thrown.
 */
export async function runCli(argv: readonly string[], io: CliIo, version: string): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainUsage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${version}\n`);
    return 0;
  }
  try {
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) {
      throw usageError(
        `unknown command "${name}"; the commands are ${Object.keys(COMMANDS).join(', ')}`,
        { command: name },
      );
    }
    const { command } = await entry.load();
    const args = parse(command, rest);
    if (args.values.help === true) {
      io.stdout(command.usage);
      return 0;
    }
    const { min, max } = command.positionals;
    if (args.positionals.length < min || args.positionals.length > max) {
      io.stderr(command.usage);
      throw usageError(
        `pantheon ${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${args.positionals.length}`,
        { command: name },
      );
    }
    return await command.run(args, io);
  } catch (error) {
    return reportError(error, io);
  }
}
