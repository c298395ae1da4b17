import {
  type LogFunction,
  type OrchestratorHooks,
  PantheonError,
} from '@promethean-os/pantheon-core';
import type { TableDescription } from './actors/analyst/tools';
import type { CsvQueryResult } from './csv/query-table';

/** One line about a tool's result: its size, not its content (the answer says that). */
function summary(result: unknown): string {
  if (typeof result === 'string') return `${result.split('\n').length - 1} bars`;
  const described = result as Partial<TableDescription>;
  if (described.columns) return `${described.rows} rows, ${described.columns.length} columns`;
  const queried = result as Partial<CsvQueryResult>;
  if (queried.groups) return `${queried.groups.length} groups from ${queried.matchedRows} rows`;
  return `${queried.matchedRows} rows matched`;
}

/** Hooks that print each tool call and hand-off as it happens, indented under the question. */
export function consoleTrace(print: (line: string) => void): OrchestratorHooks {
  return {
    onToolCall({ actor, name, args, result, error }) {
      const outcome =
        error === undefined
          ? summary(result)
          : PantheonError.isInstance(error)
            ? `failed: ${error.code}: ${error.message}`
            : `failed: ${String(error)}`;
      print(`  ${actor.id} called ${name} ${JSON.stringify(args)} → ${outcome}`);
    },
    onActionEnd({ actor, result }) {
      const { action } = result;
      if (action.type === 'handoff' && result.ok) {
        const reason = action.reason ? ` (${action.reason})` : '';
        print(`  ${actor.id} handed the conversation to ${action.target}${reason}`);
      }
    },
  };
}

/**
 * The runtime's warnings and errors (a failed tick, a restart) as one short line each, indented
 * under the question; the error's message is in the answer's failure, so it is not repeated.
 */
export function consoleRuntimeLog(print: (line: string) => void): LogFunction {
  return (message, meta = {}) => {
    const level = typeof meta.level === 'string' ? meta.level : 'warn';
    if (level !== 'warn' && level !== 'error') return;
    const actor = typeof meta.actorId === 'string' ? `${meta.actorId}: ` : '';
    const code = typeof meta.code === 'string' ? ` (${meta.code})` : '';
    print(`  [${level}] ${actor}${message}${code}`);
  };
}
