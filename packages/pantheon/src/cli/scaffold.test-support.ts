/**
 * An app made by the built `pantheon init`, in the CLI's build folder under the package: there,
 * its imports resolve as in an installed app — `zod` from the package's node_modules, Pantheon's
 * packages from their sources (vitest's aliases in process; tsx and the repository's tsconfig
 * paths in the CLI's child processes).
 */
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { type BuiltCli, type CliResult, runCommand } from './built-cli.test-support';

let count = 0;

/** A path for a new app in the build folder (not created). */
export function newAppPath(cli: BuiltCli, prefix = 'app'): string {
  count += 1;
  return join(dirname(cli.bin), `${prefix}-${count}`);
}

/** Runs `pantheon init <dir> …args` and expects it to succeed. */
export async function scaffold(
  cli: BuiltCli,
  args: readonly string[] = [],
): Promise<{ dir: string; result: CliResult }> {
  const dir = newAppPath(cli);
  const result = await runCommand(cli, ['init', dir, ...args], { cwd: dirname(cli.bin) });
  expect(result.code, result.stderr).toBe(0);
  return { dir, result };
}
