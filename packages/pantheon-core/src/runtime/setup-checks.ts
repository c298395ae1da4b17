import { ConfigError, ToolError } from '../errors';
import type { ToolPort } from '../ports/tool-port';
import type { ActorScript } from '../types';

/**
 * Checks what a script's behaviors declare in `requires`: their tools must be registered in
 * `tools` (`TOOL_NOT_FOUND`), the actors they hand conversations to must exist or be declared
 * (`HANDOFF_TARGET_NOT_FOUND`). Each error names the behavior and the missing name.
 */
export async function checkRequirements(
  script: ActorScript,
  tools: ToolPort,
  actorExists: (id: string) => Promise<boolean>,
): Promise<void> {
  const registered =
    typeof tools.list === 'function' ? new Set(tools.list().map((tool) => tool.name)) : undefined;
  for (const talent of script.talents) {
    for (const behavior of talent.behaviors) {
      for (const tool of behavior.requires?.tools ?? []) {
        if (registered && !registered.has(tool)) {
          throw new ToolError(
            `Behavior "${behavior.name}" of script "${script.name}" offers tool "${tool}", which is not registered in the tool adapter`,
            tool,
            { behaviorName: behavior.name, script: script.name },
            { code: 'TOOL_NOT_FOUND' },
          );
        }
      }
      for (const actor of behavior.requires?.actors ?? []) {
        if (await actorExists(actor)) continue;
        throw new ConfigError(
          `Behavior "${behavior.name}" of script "${script.name}" hands conversations to actor "${actor}", which does not exist: create it first, or name it in createActor's declaredActors`,
          { behaviorName: behavior.name, script: script.name, actor },
          { code: 'HANDOFF_TARGET_NOT_FOUND' },
        );
      }
    }
  }
}
