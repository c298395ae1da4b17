import { ConfigError, ToolError } from '../errors';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { ContextPort } from '../ports/context-port';
import type { MailboxStore } from '../ports/mailbox-store';
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

/**
 * A durable store commits each tick's writes through its own state and context ports; other
 * ports would take the runtime's writes outside the tick's transaction (and an in-memory state
 * port would lose them on a restart). `STORE_PORTS_MISMATCH` names the ports to replace.
 */
export function checkStorePorts(
  store: MailboxStore,
  state: ActorStatePort,
  context: ContextPort,
): void {
  if (typeof store.owns !== 'function') {
    throw new ConfigError(
      'The store has no owns() method: it was written for an earlier MailboxStore port, whose ticks did not run in a TickTransaction. Update the store (see describeMailboxStoreContract in @promethean-os/pantheon-test/contracts)',
      { ports: ['actorStateAdapter', 'contextAdapter'] },
      { code: 'STORE_PORTS_MISMATCH' },
    );
  }
  const ports: string[] = [];
  if (!store.owns(state)) ports.push('actorStateAdapter');
  if (!store.owns(context)) ports.push('contextAdapter');
  if (ports.length === 0) return;
  throw new ConfigError(
    `The ${ports.join(' and the ')} of this PantheonSystem ${ports.length === 1 ? 'is' : 'are'} not the store's own, so a durable tick's writes would not be committed with the acknowledgement of its message. Pass the state and context ports that come with the store — with @promethean-os/pantheon-persistence, actorStateAdapter: db.actors and contextAdapter: db.context`,
    { ports },
    { code: 'STORE_PORTS_MISMATCH' },
  );
}
