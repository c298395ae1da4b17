import type {
  BusMessage,
  LlmPort,
  LogFunction,
  OrchestratorHooks,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { ANALYST_ID, analystScript } from './actors/analyst';
import { describeCsvTool, queryCsvTool } from './actors/analyst/tools';
import { REPORTER_ID, reporterScript } from './actors/reporter';
import { chartCsvTool } from './actors/reporter/tools';
import { createSystem } from './config/adapters.config';
import type { DataAnalystConfig } from './config/pantheon.config';
import { type CsvTable, loadCsvTable } from './csv/csv-table';

/** What `startDataAnalyst` takes besides the config. */
export interface DataAnalystOptions {
  /** Observes ticks, tool calls and hand-offs (the console output of `main` comes from these). */
  hooks?: OrchestratorHooks;
  /** The runtime's warnings and errors; `consoleLog` by default. */
  log?: LogFunction;
  /** A model instead of the one the config names, e.g. a `MockLlmAdapter` in tests. */
  llm?: LlmPort;
}

/** The running app: two actors over one CSV table. */
export interface DataAnalyst {
  system: PantheonSystem;
  table: CsvTable;
  /** Which model answers, in one line. */
  model: string;
  /**
   * Asks the analyst; resolves with the answer from whichever actor gives it (the reporter
   * answers chart requests). Pass `conversationId` to continue a conversation.
   */
  ask(question: string, options?: { conversationId?: string }): Promise<BusMessage>;
  shutdown(): Promise<void>;
}

/**
 * Loads the CSV, wires the system (`config/adapters.config.ts`), creates the reporter and the
 * analyst and starts them.
 *
 * @throws ConfigError `CSV_INVALID` when the CSV cannot be read or parsed, or from the model's
 *   adapter; a setup check of `createActor` (e.g. `TOOL_NOT_FOUND`), after shutting the system down.
 */
export async function startDataAnalyst(
  config: DataAnalystConfig,
  options: DataAnalystOptions = {},
): Promise<DataAnalyst> {
  const table = await loadCsvTable(config.csvFile);
  const { system, model, shutdown } = createSystem(config, {
    ...options,
    tools: [describeCsvTool(table), queryCsvTool(table), chartCsvTool(table)],
  });
  try {
    // The reporter first: the analyst's hand-off target must exist when the analyst is created.
    await system.createActor({
      id: REPORTER_ID,
      name: 'Reporter',
      script: reporterScript,
      goals: ['Draw the chart the user asks for'],
    });
    await system.createActor({
      id: ANALYST_ID,
      name: 'Analyst',
      script: analystScript,
      goals: ['Answer questions about the table with figures from it'],
    });
    await system.startActor(REPORTER_ID);
    await system.startActor(ANALYST_ID);
  } catch (error) {
    await shutdown();
    throw error;
  }
  return {
    system,
    table,
    model,
    ask: (question, askOptions = {}) =>
      system.ask(ANALYST_ID, question, { timeoutMs: config.askTimeoutMs, ...askOptions }),
    shutdown,
  };
}
