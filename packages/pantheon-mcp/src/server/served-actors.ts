import { type ActorStatePort, ConfigError, type LogFunction } from '@promethean-os/pantheon-core';

/** An actor to serve, with how MCP clients see it. */
export interface McpServedActor {
  /** The actor's id in the system. */
  id: string;
  /**
   * The name in its tools' names (`ask_<toolName>`, `send_<toolName>`): letters, digits, `_` and
   * `-`, at most 60 characters. Default: the id, other characters replaced by `_`.
   */
  toolName?: string;
  /** What the actor does, for the client's model. Default: the script's description (with `actorState`). */
  description?: string;
}

/** A served actor with everything its tools need. */
export interface ResolvedActor {
  id: string;
  toolName: string;
  description: string | undefined;
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,60}$/;

/** The tool name an id gets when none is given. */
export function toolNameOf(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60) || '_';
}

function describeScript(actor: Awaited<ReturnType<ActorStatePort['get']>>): string | undefined {
  if (!actor) return undefined;
  const parts = [
    actor.script.description,
    actor.goals.length > 0 ? `Goals: ${actor.goals.join('; ')}.` : undefined,
  ];
  const text = parts.filter((part) => part !== undefined && part !== '').join(' ');
  return text === '' ? undefined : text;
}

/** Normalises `actors`; bad entries and clashing tool names are `CONFIG_ERROR`s. */
export function normaliseServedActors(
  actors: ReadonlyArray<string | McpServedActor>,
): McpServedActor[] {
  if (!Array.isArray(actors)) {
    throw new ConfigError('serveMcp: `actors` must be an array of actor ids or { id, … }', {
      field: 'actors',
    });
  }
  const seen = new Map<string, string>();
  return actors.map((entry, index) => {
    const actor: McpServedActor = typeof entry === 'string' ? { id: entry } : { ...entry };
    if (typeof actor.id !== 'string' || actor.id === '') {
      throw new ConfigError(`serveMcp: actors[${index}] needs a non-empty id`, {
        field: `actors[${index}].id`,
      });
    }
    const toolName = actor.toolName ?? toolNameOf(actor.id);
    if (!TOOL_NAME.test(toolName)) {
      throw new ConfigError(
        `serveMcp: actors[${index}].toolName "${toolName}" may only hold letters, digits, _ and - (at most 60)`,
        { field: `actors[${index}].toolName` },
      );
    }
    const clash = seen.get(toolName);
    if (clash !== undefined) {
      throw new ConfigError(
        `serveMcp: actors "${clash}" and "${actor.id}" would both be served as "${toolName}"; give one a toolName`,
        { field: `actors[${index}].toolName` },
      );
    }
    seen.set(toolName, actor.id);
    actor.toolName = toolName;
    return actor;
  });
}

/**
 * The actors to serve, read on every `tools/list`: the fixed `actors` (described from
 * `actorState` when given), or every actor of `actorState`.
 */
export function servedActorsSource(
  actors: McpServedActor[] | undefined,
  actorState: ActorStatePort | undefined,
  log: LogFunction,
): () => Promise<ResolvedActor[]> {
  if (actors) {
    return async () =>
      Promise.all(
        actors.map(async (actor) => ({
          id: actor.id,
          toolName: actor.toolName ?? toolNameOf(actor.id),
          description:
            actor.description ?? describeScript((await actorState?.get(actor.id)) ?? null),
        })),
      );
  }
  const state = actorState as ActorStatePort;
  return async () => {
    const resolved: ResolvedActor[] = [];
    const taken = new Set<string>();
    for (const actor of await state.list()) {
      const toolName = toolNameOf(actor.id);
      if (taken.has(toolName)) {
        log('An actor is not served over MCP: its tool name is taken by another actor', {
          level: 'warn',
          actorId: actor.id,
          toolName,
        });
        continue;
      }
      taken.add(toolName);
      resolved.push({ id: actor.id, toolName, description: describeScript(actor) });
    }
    return resolved;
  };
}
