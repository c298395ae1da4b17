import { type LogFunction, type LogLevel, redactSecrets } from '@promethean-os/pantheon-core';
import type { PantheonConfig } from '../config/config-schema';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of `createLogger`. */
export interface LoggerOptions {
  level: LogLevel;
  format: PantheonConfig['logging']['format'];
  /** Where each line goes. Default: `process.stdout`. */
  write?: (line: string) => void;
  /** Clock for the `time` field. Default `Date.now`. */
  now?: () => number;
}

function pretty(time: string, level: LogLevel, message: string, meta: Record<string, unknown>) {
  const fields = Object.entries(meta).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return [time.slice(11, 23), level.toUpperCase().padEnd(5), message, ...fields].join(' ');
}

/**
 * A `LogFunction` that writes entries at `level` and above, one line each: a JSON object
 * (`{"time","level","msg",…meta}`) or a human line (`pretty`), secrets redacted. The entry's
 * level is `meta.level` (default `info`), as Pantheon's runtime sets it.
 */
export function createLogger(options: LoggerOptions): LogFunction {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const threshold = RANK[options.level];
  return (message, meta = {}) => {
    const { level: given, ...rest } = meta;
    const level: LogLevel =
      typeof given === 'string' && given in RANK ? (given as LogLevel) : 'info';
    if (RANK[level] < threshold) return;
    const time = new Date(now()).toISOString();
    const fields = redactSecrets(rest);
    const text = redactSecrets(message);
    write(
      options.format === 'json'
        ? JSON.stringify({ time, level, msg: text, ...fields })
        : pretty(time, level, text, fields),
    );
  };
}
