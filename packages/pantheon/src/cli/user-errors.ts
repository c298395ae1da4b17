import { ConfigError, PantheonError, type PantheonErrorCode } from '@promethean-os/pantheon-core';
import type { CliIo } from './command';

/** Exit code of a malformed command line. */
export const EXIT_USAGE = 2;
/** Exit code of every other failure. */
export const EXIT_FAILURE = 1;

/** What to do, for codes whose message does not say it already. */
const HINTS: Partial<Record<PantheonErrorCode, string>> = {
  CONFIG_NOT_FOUND:
    'Create pantheon.config.ts (or .json) in the app folder, or pass --config <file>; docs/configuration.md lists every field.',
  APP_INVALID:
    'The module named by `entry` must `export default defineApp({ actors: [...] })` (see the README of @promethean-os/pantheon).',
  CLI_USAGE: 'Run `pantheon --help` for the commands, `pantheon <command> --help` for one.',
  ACTOR_NOT_FOUND: 'List the actors of the instance with `pantheon actors`.',
  ASK_TIMEOUT: 'Give it longer with --timeout <ms>, or look at the logs of the instance.',
};

/**
 * Prints `error` on standard error and returns the exit code. A Pantheon error is a failure the
 * user fixes (configuration, environment, a service to start): its message, its code and what
 * to do, no stack trace; `EXIT_USAGE` for a malformed command line. Anything else is printed
 * with its stack, as a defect.
 */
export function reportError(error: unknown, io: CliIo): number {
  if (PantheonError.isInstance(error)) {
    io.stderr(`pantheon: ${error.message} [${error.code}]\n`);
    const hint = HINTS[error.code];
    if (hint) io.stderr(`${hint}\n`);
    return error.code === 'CLI_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(`pantheon: unexpected error (a defect: please report it)\n${text}\n`);
  return EXIT_FAILURE;
}

/** A `CLI_USAGE` error. */
export function usageError(message: string, details: Record<string, unknown> = {}): ConfigError {
  return new ConfigError(message, details, { code: 'CLI_USAGE' });
}
