import type { LogFunction } from '@promethean-os/pantheon-core';
import { type RedactOptions, redactSecrets } from '@promethean-os/pantheon-core';
import type { Logger } from 'winston';

/** Options of `createWinstonLog`. */
export interface WinstonLogOptions {
  /** Winston level of every entry. Default `'info'`. */
  level?: string;
  /**
   * What to hide before anything reaches winston (added to the default secret keys and
   * patterns), or `false` to log as is. Redaction is on by default.
   */
  redact?: RedactOptions | false;
}

/**
 * Turns a winston logger into the orchestrator's `log` (and `PantheonSystem`'s). The message and
 * metadata are redacted before winston sees them, so API keys, authorization headers, tokens,
 * passwords and `sk-…`/`sk-ant-…`/`Bearer …` values never reach a transport.
 *
 * @example
 * import { createLogger, format, transports } from 'winston';
 * import { createWinstonLog } from '@promethean-os/pantheon-adapters/winston';
 *
 * const logger = createLogger({ format: format.json(), transports: [new transports.Console()] });
 * const orchestrator = makeOrchestrator({ ...deps, log: createWinstonLog(logger) });
 */
export function createWinstonLog(logger: Logger, options: WinstonLogOptions = {}): LogFunction {
  const level = options.level ?? 'info';
  const redact = options.redact;
  if (redact === false) return (message, meta) => void logger.log(level, message, meta ?? {});
  return (message, meta) => {
    logger.log(
      level,
      redactSecrets(message, redact),
      meta === undefined ? {} : redactSecrets(meta, redact),
    );
  };
}
