import { ConfigError } from './errors';
import { ActorScriptSchema } from './schemas';
import type { ActorScript } from './types';
import { check, describeIssues } from './validation';

/**
 * Checks a script before it is stored or run; an invalid one is a `ConfigError` (`code`, default
 * `CONFIG_ERROR`) whose `details.issues` name each field (e.g. `script.talents[0].behaviors[0].mode`).
 */
export function checkActorScript(script: unknown, code?: string): ActorScript {
  const checked = check<ActorScript>(ActorScriptSchema, script, 'script');
  if (!checked.ok) {
    throw new ConfigError(
      `Invalid actor script: ${describeIssues(checked.issues)}`,
      { issues: checked.issues },
      { code },
    );
  }
  return checked.value;
}
