import { ConfigError } from '@promethean-os/pantheon-core';
import { type ConfigSource, describeSource } from './config-layers';

/** One invalid value: the field, where it came from, and why it is refused. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `adapters.persistence.url`. */
  field: string;
  source: ConfigSource;
  message: string;
}

/** The issues as one `ConfigError` `CONFIG_INVALID`; `details.issues` lists them. */
export function invalidConfig(issues: readonly ConfigIssue[]): ConfigError {
  const lines = issues.map(
    (issue) => `  - ${issue.field} (from ${describeSource(issue.source)}): ${issue.message}`,
  );
  return new ConfigError(
    `Invalid Pantheon configuration:\n${lines.join('\n')}\nSee docs/configuration.md for every field and variable.`,
    { issues: issues.map((issue) => ({ ...issue })) },
    { code: 'CONFIG_INVALID' },
  );
}
