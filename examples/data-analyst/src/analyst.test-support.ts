import { fileURLToPath } from 'node:url';
import {
  type Environment,
  loadConfig,
  Pantheon,
  type PantheonConfig,
  type StartAppOptions,
  startApp,
} from '@promethean-os/pantheon';
import type { BusMessage } from '@promethean-os/pantheon-core';
import { ANALYST_ID } from './actors/analyst';
import type { CsvTable } from './csv/csv-table';
import { loadDataAnalyst } from './data-analyst';

/** The example folder: where `pnpm start` and `pantheon start` run. */
export const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The example's `pantheon.config.ts`. */
export const CONFIG_FILE = fileURLToPath(new URL('../pantheon.config.ts', import.meta.url));

/** The example's configuration as `loadConfig` reads it when `env` is the whole environment. */
export function exampleConfig(env: Environment = {}): Promise<PantheonConfig> {
  return loadConfig({ file: CONFIG_FILE, cwd: EXAMPLE_DIR, env });
}

/** The app running on the umbrella, and a way to ask the analyst. */
export interface RunningAnalyst {
  pantheon: Pantheon;
  table: CsvTable;
  /** Asks the analyst; the answer comes from whichever actor gives it. */
  ask(question: string, options?: { conversationId?: string }): Promise<BusMessage>;
}

/**
 * The app as `pnpm start` runs it: its configuration and its CSV read with `env` as the
 * environment (no variable: offline, on the bundled sample), then `startApp`.
 */
export async function startAnalyst(
  env: Environment = {},
  options: Omit<StartAppOptions, 'env'> = {},
): Promise<RunningAnalyst> {
  const config = await exampleConfig(env);
  const { app, table } = await loadDataAnalyst(env);
  const pantheon = await startApp(config, app, { ...options, env });
  // The tests read what one process's system keeps (e.g. getActorMessages): no cluster section.
  if (!(pantheon instanceof Pantheon)) {
    await pantheon.shutdown();
    throw new Error('The tests run the analyst in one process: unset PANTHEON_CLUSTER_NAME');
  }
  return {
    pantheon,
    table,
    ask: (question, askOptions = {}) =>
      pantheon.ask(ANALYST_ID, question, { timeoutMs: 60_000, ...askOptions }),
  };
}
