import { ConfigError } from './errors';
import { ActorScriptSchema } from './schemas';
import type { ActorScript } from './types';
import { check, describeIssues } from './validation';

/**
 * Checks a script before it is stored or run; an invalid one is a `ConfigError`
 * `SCRIPT_INVALID` whose `details.issues` name each field (e.g.
 * `script.talents[0].behaviors[0].mode`). Every adapter, mock and registry that takes a script
 * checks it here, so an invalid script has the same code everywhere.
 */
export function checkActorScript(script: unknown): ActorScript {
  const checked = check<ActorScript>(ActorScriptSchema, script, 'script');
  if (!checked.ok) {
    throw new ConfigError(
      `Invalid actor script: ${describeIssues(checked.issues)}`,
      { issues: checked.issues },
      { code: 'SCRIPT_INVALID' },
    );
  }
  return checked.value;
}
