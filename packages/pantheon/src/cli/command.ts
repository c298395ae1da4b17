import type { ParseArgsOptionsConfig } from 'node:util';
import type { Environment } from '../config/config-environment';

/** What a command reads and writes: the process's, or a test's. */
export interface CliIo {
  /** Writes to standard output (the caller adds line breaks). */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  env: Environment;
  cwd: string;
}

/** A command line parsed against a command's options. */
export interface CliArguments {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** One `pantheon <name>` command: its module under `src/cli/commands/`. */
export interface CliCommand {
  name: string;
  /** The full text of `pantheon <name> --help`. */
  usage: string;
  /** Its options (`--help` is added by the dispatcher). */
  options: ParseArgsOptionsConfig;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  /** Runs it; resolves the process's exit code. */
  run(args: CliArguments, io: CliIo): Promise<number>;
}

/** `--config <file>`: every command that reads the configuration takes it. */
export const CONFIG_OPTION = {
  config: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** `--url <url>`: the commands that talk to a running instance. */
export const URL_OPTION = { url: { type: 'string' } } as const satisfies ParseArgsOptionsConfig;

/** A string option's value, when given. */
export function stringOption(args: CliArguments, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}
