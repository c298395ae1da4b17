import type { LogFunction } from './orchestrator/types';
import { redactSecrets } from './redact-secrets';

/** How serious a log entry is; Pantheon puts it in `meta.level`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The default `log` of `makeOrchestrator` and `PantheonSystem`: warnings and errors go to the
 * console as one JSON line each (`{"level":"error","msg":"Tick failed","actorId":…}`), on
 * `console.error` for errors and `console.warn` otherwise, secrets redacted (`redactSecrets`);
 * `debug` and `info` entries are dropped. Pass `log: () => {}` to silence Pantheon, or your own logger to route it.
 */
export const consoleLog: LogFunction = (message, meta) => {
  const level = (meta?.level as LogLevel | undefined) ?? 'warn';
  if (level === 'debug' || level === 'info') return;
  const line = JSON.stringify(redactSecrets({ ...meta, level, msg: message }));
  if (level === 'error') console.error(line);
  else console.warn(line);
};
