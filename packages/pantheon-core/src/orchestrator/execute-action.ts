import {
  ActorError,
  BehaviorError,
  ContextError,
  errorMessage,
  PantheonError,
  ToolError,
} from '../errors';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { ContextPort } from '../ports/context-port';
import type { LlmPort } from '../ports/llm-port';
import type { BusMessage, MessageBus } from '../ports/message-bus';
import type { ToolPort } from '../ports/tool-port';
import { needsApproval } from '../tool-approval';
import { toolFailure, toolTimeoutError } from '../tool-errors';
import type {
  Action,
  Actor,
  ContextAction,
  HandoffAction,
  MessageAction,
  MessagePriority,
  SpawnAction,
  ToolAction,
  ToolSpec,
} from '../types';
import { NEVER_ABORTED, sleep, withTimeout } from './abort';
import { spawnDepthOf } from './limits';
import type { ActionResult, OrchestratorDeps } from './types';

/** Per-tick facts an action needs besides itself. */
export interface ActionScope {
  /** The tick's signal; undefined when the tick cannot be cancelled. */
  signal: AbortSignal | undefined;
  correlationId?: string;
  conversationId?: string;
  /** Where `message` actions without a target go; `'user'` when absent. */
  replyTo?: string;
  /** The message the tick handles; what a hand-off passes on. */
  userMessage?: string;
  metadata?: Record<string, unknown>;
  /**
   * The id of the message the tick handles: sent messages get `<messageId>:<n>`, so a retried
   * tick sends the same ids. Sent messages get random ids when there is none.
   */
  messageId?: string;
  /** How many messages the tick sent so far. */
  sent?: number;
  /** How many tools the tick called so far (actions and behaviors' own calls). */
  toolCalls?: number;
}

function wrapFailure(action: Action, error: unknown): PantheonError {
  if (PantheonError.isInstance(error)) return error;
  const message = errorMessage(error);
  const options = { cause: error };
  switch (action.type) {
    case 'tool':
      return toolFailure(action.name, error);
    case 'context':
      return new ContextError(
        `Context ${action.operation} of "${action.target}" failed: ${message}`,
        { operation: action.operation, target: action.target },
        options,
      );
    default:
      return new PantheonError(
        `The ${action.type} action failed: ${message}`,
        'ACTION_FAILED',
        { actionType: action.type },
        options,
      );
  }
}

/**
 * The idempotency key of the tick's next tool call: `<messageId>:tool:<n>`, the same in a
 * replayed tick; a fresh id when the tick handles no message.
 */
export function toolCallKey(scope: ActionScope, ids: () => string): string {
  if (scope.messageId === undefined) return ids();
  const index = scope.toolCalls ?? 0;
  scope.toolCalls = index + 1;
  return `${scope.messageId}:tool:${index}`;
}

/**
 * The tool port a tick's behaviors call: every call runs on behalf of the actor and gets the
 * tick's next idempotency key, unless the caller gave its own.
 */
export function keyedTools(
  tools: ToolPort,
  scope: ActionScope,
  ids: () => string,
  actorId: string,
): ToolPort {
  const keyed: ToolPort = {
    register: (tool) => tools.register(tool),
    invoke: (name, args, options) =>
      tools.invoke(name, args, {
        actorId,
        ...options,
        idempotencyKey: options?.idempotencyKey ?? toolCallKey(scope, ids),
      }),
  };
  if (tools.list) keyed.list = () => tools.list!();
  if (tools.unregister) keyed.unregister = (name) => tools.unregister!(name);
  return keyed;
}

function sentMessageId(scope: ActionScope): string {
  const index = scope.sent ?? 0;
  scope.sent = index + 1;
  return `${scope.messageId}:${index}`;
}

/** The ports one tick runs against: the deps' own, or those its `TickPorts` replace. */
export interface TickPortSet {
  state: ActorStatePort;
  context: ContextPort;
  bus: MessageBus;
  llm: LlmPort;
  tools: ToolPort;
}

/**
 * Runs actions against the tick's ports; every action type does real work. `ids` makes the ids
 * of messages sent outside a handled message (the orchestrator's `deps.ids` or its default).
 */
export function makeActionRunner(deps: OrchestratorDeps, ids: () => string) {
  const { schedule, now } = deps;

  /** A message of the tick; always the same fields (some undefined), so every one has one shape. */
  function busMessage(
    actor: Actor,
    scope: ActionScope,
    to: string,
    content: string,
    timestamp: number,
    priority: MessagePriority,
    metadata: Record<string, unknown> | undefined,
  ): BusMessage {
    return {
      id: scope.messageId === undefined ? ids() : sentMessageId(scope),
      from: actor.id,
      to,
      content,
      timestamp,
      priority,
      correlationId: scope.correlationId,
      conversationId: scope.conversationId,
      replyTo: scope.replyTo,
      metadata,
    };
  }

  /** The handled message, passed on unchanged to `action.target` with the conversation. */
  function handoff(
    action: HandoffAction,
    actor: Actor,
    scope: ActionScope,
    bus: MessageBus,
  ): Promise<BusMessage> {
    if (scope.userMessage === undefined) {
      return Promise.reject(
        new BehaviorError(
          `Actor "${actor.id}" cannot hand off to "${action.target}": the tick handles no message`,
          actor.id,
          { target: action.target },
          { code: 'INVALID_ACTION' },
        ),
      );
    }
    const handedOff: Record<string, unknown> = { from: actor.id };
    if (action.reason !== undefined) handedOff.reason = action.reason;
    const message = busMessage(actor, scope, action.target, scope.userMessage, now(), 'normal', {
      ...scope.metadata,
      handoff: handedOff,
    });
    // The receiving actor answers the requester, `'user'` when the tick named none.
    message.replyTo ??= 'user';
    return bus.send(message).then(() => message);
  }

  /**
   * A tool that needs a person's approval cannot run from a `tool` action: a plan's action cannot
   * wait for a decision (only `llmBehavior`, or a behavior with `resume`, can hold a call back).
   */
  async function refuseUnapproved(
    spec: ToolSpec,
    action: ToolAction,
    actor: Actor,
    scope: ActionScope,
  ) {
    if (!(await needsApproval(spec, action.args, { signal: scope.signal, actorId: actor.id }))) {
      return;
    }
    throw new ToolError(
      `Tool "${action.name}" needs a person's approval, and a \`tool\` action cannot wait for one: let an llmBehavior (or a behavior with \`resume\`) call it`,
      action.name,
      { reason: 'needs-approval' },
      { code: 'TOOL_DENIED' },
    );
  }

  function invokeTool(
    action: ToolAction,
    actor: Actor,
    scope: ActionScope,
    tools: ToolPort,
  ): Promise<unknown> {
    const spec = tools.list?.().find((tool) => tool.name === action.name);
    if (spec?.needsApproval !== undefined) {
      return refuseUnapproved(spec, action, actor, scope).then(() =>
        runTool(action, actor, scope, tools),
      );
    }
    return runTool(action, actor, scope, tools);
  }

  function runTool(
    action: ToolAction,
    actor: Actor,
    scope: ActionScope,
    tools: ToolPort,
  ): Promise<unknown> {
    const { name, args, timeout } = action;
    const idempotencyKey = toolCallKey(scope, ids);
    if (timeout === undefined)
      return tools.invoke(name, args, { signal: scope.signal, actorId: actor.id, idempotencyKey });
    return withTimeout(
      schedule,
      timeout,
      scope.signal,
      () => toolTimeoutError(name, timeout),
      (signal) =>
        tools.invoke(name, args, { signal, timeoutMs: timeout, actorId: actor.id, idempotencyKey }),
    );
  }

  function spawn(action: SpawnAction, actor: Actor, scope: ActionScope, state: ActorStatePort) {
    const metadata: Record<string, unknown> = {
      parentId: actor.id,
      spawnDepth: spawnDepthOf(actor.metadata) + 1,
    };
    // The conversation it was spawned in: its ticks without a message spend that budget.
    if (scope.conversationId !== undefined) metadata.spawnedIn = scope.conversationId;
    if (action.config) metadata.config = action.config;
    return state.spawn(action.actor, action.goal, { metadata }).catch((error: unknown) => {
      throw PantheonError.isInstance(error)
        ? error
        : new ActorError(
            `Spawning "${action.actor.name}" failed: ${errorMessage(error)}`,
            actor.id,
            undefined,
            {
              code: 'SPAWN_FAILED',
              cause: error,
            },
          );
    });
  }

  async function useStore(
    action: ContextAction,
    actor: Actor,
    context: ContextPort,
  ): Promise<unknown> {
    const scope = { actorId: actor.id };
    const method = context[action.operation];
    if (typeof method !== 'function') {
      throw new ContextError(
        `The context adapter has no key/value store (no ${action.operation}() method)`,
        { operation: action.operation, target: action.target },
        { code: 'CONTEXT_STORE_UNSUPPORTED' },
      );
    }
    switch (action.operation) {
      case 'read':
        return context.read!(action.target, scope);
      case 'write':
        return context.write!(action.target, action.data, scope);
      case 'delete':
        return context.delete!(action.target, scope);
    }
  }

  function perform(
    action: Exclude<Action, MessageAction>,
    actor: Actor,
    scope: ActionScope,
    ports: TickPortSet,
  ): Promise<unknown> {
    switch (action.type) {
      case 'tool':
        return invokeTool(action, actor, scope, ports.tools);
      case 'spawn':
        return spawn(action, actor, scope, ports.state);
      case 'wait':
        return sleep(schedule, action.duration, scope.signal ?? NEVER_ABORTED).then(() => ({
          waitedMs: action.duration,
        }));
      case 'context':
        return useStore(action, actor, ports.context);
      case 'handoff':
        return handoff(action, actor, scope, ports.bus);
    }
  }

  /** Runs one already-validated action; never rejects, failures are in the result. */
  return async function runAction(
    action: Action,
    actor: Actor,
    scope: ActionScope,
    ports: TickPortSet,
  ): Promise<ActionResult> {
    const started = now();
    try {
      let result: unknown;
      if (action.type === 'message') {
        // Sent here rather than in perform(): most actions are messages, and this saves a hop.
        const message = busMessage(
          actor,
          scope,
          action.target ?? scope.replyTo ?? 'user',
          action.content,
          started,
          action.priority ?? 'normal',
          action.metadata === undefined
            ? scope.metadata
            : { ...action.metadata, ...scope.metadata },
        );
        await ports.bus.send(message);
        result = message;
      } else {
        result = await perform(action, actor, scope, ports);
      }
      return { action, ok: true, result, durationMs: now() - started };
    } catch (error) {
      return { action, ok: false, error: wrapFailure(action, error), durationMs: now() - started };
    }
  };
}
