import { consoleLog } from '../console-log';
import { ActorError, BehaviorError, ContextError, errorMessage, PantheonError } from '../errors';
import type { BusMessage } from '../ports/message-bus';
import { ActionSchema } from '../schemas';
import { toolResultContent } from '../tool-result';
import type { Action, Actor, ActorState, Behavior, BehaviorInput, Message } from '../types';
import { check } from '../validation';
import { abortError, NEVER_ABORTED } from './abort';
import { type ActionScope, keyedTools, makeActionRunner, type TickPortSet } from './execute-action';
import { DEFAULT_ORCHESTRATOR_LIMITS } from './limits';
import { type CallReporter, observedPorts } from './observe-calls';
import { heldForApproval, resumeBehavior, resumedBehavior } from './resume-behavior';
import { selectBehaviors } from './select-behaviors';
import type {
  ActionResult,
  Orchestrator,
  OrchestratorDeps,
  OrchestratorHooks,
  TickInput,
  TickPorts,
  TickResult,
} from './types';
import { invalidAction, type TickBudget, validatePlan } from './validate-plan';

type HookName = keyof OrchestratorHooks;
type HookEvent<K extends HookName> = Parameters<NonNullable<OrchestratorHooks[K]>>[0];

function asBehaviorError(error: unknown, behaviorName: string): PantheonError {
  return PantheonError.isInstance(error)
    ? error
    : new BehaviorError(
        `Behavior "${behaviorName}" failed: ${errorMessage(error)}`,
        behaviorName,
        undefined,
        { cause: error },
      );
}

/** The messages a tick adds to the actor's history: its input, what it said and tool results. */
function historyOf(
  input: TickInput,
  results: readonly ActionResult[],
  ids: () => string,
): Message[] {
  const history: Message[] = [];
  if (input.userMessage !== undefined) {
    const incoming: Message = { role: 'user', content: input.userMessage };
    if (input.from !== undefined) incoming.name = input.from;
    history.push(incoming);
  }
  for (const { action, ok, result } of results) {
    if (!ok) continue;
    if (action.type === 'message') {
      history.push({
        role: 'assistant',
        content: action.content,
        metadata: { target: (result as BusMessage).to },
      });
    } else if (action.type === 'handoff') {
      const reason = action.reason === undefined ? '' : `: ${action.reason}`;
      history.push({
        role: 'assistant',
        content: `Handed the conversation to ${action.target}${reason}`,
        metadata: { handoff: action.target },
      });
    } else if (action.type === 'tool') {
      // Recorded as a call/result pair so the history stays valid provider input.
      const id = `call_${ids()}`;
      history.push(
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id, name: action.name, args: action.args }],
        },
        { role: 'tool', content: toolResultContent(result), toolCallId: id, name: action.name },
      );
    }
  }
  return history;
}

/**
 * Creates the orchestrator: the pure core that turns an actor and its input into actions, and
 * runs them against the ports in `deps`.
 *
 * @example
 * const orchestrator = makeOrchestrator({ now: Date.now, log: console.log, context, tools, llm,
 *   bus, schedule, state });
 * const result = await orchestrator.tickActor(actor, { userMessage: 'Hello' });
 */
export function makeOrchestrator(deps: OrchestratorDeps): Orchestrator {
  const { now, context, tools, llm, state, schedule, hooks } = deps;
  const log = deps.log ?? consoleLog;
  const ids = deps.ids ?? (() => crypto.randomUUID());
  const limits = { ...DEFAULT_ORCHESTRATOR_LIMITS, ...deps.limits };
  const runAction = makeActionRunner(deps, ids);

  function emit<K extends HookName>(name: K, event: HookEvent<K>): void {
    const hook = hooks?.[name] as ((event: HookEvent<K>) => void) | undefined;
    if (!hook) return;
    try {
      hook.call(hooks, event);
    } catch (error) {
      log(`Orchestrator hook ${name} threw; ignored`, {
        level: 'warn',
        error: errorMessage(error),
      });
    }
  }

  const report: CallReporter = {
    model: (event) => emit('onModelCall', event),
    tool: (event) => emit('onToolCall', event),
  };
  const observesCalls = hooks?.onModelCall !== undefined || hooks?.onToolCall !== undefined;

  /** Logs a failed tick with what identifies it: actor, message, conversation and codes. */
  function logFailedTick(actor: Actor, input: TickInput, errors: readonly PantheonError[]) {
    log('Tick failed', {
      level: 'error',
      actorId: actor.id,
      messageId: input.messageId,
      conversationId: input.conversationId,
      code: errors[0]?.code,
      errors: errors.map((error) => `${error.code}: ${error.message}`),
    });
  }

  /**
   * Marks the actor failed with `reason` (best effort), logs it, reports it to `onTickFailed` and
   * returns `reason` to throw.
   */
  async function failTick(
    ports: TickPortSet,
    actor: Actor,
    input: TickInput,
    reason: PantheonError,
    started: number,
  ) {
    logFailedTick(actor, input, [reason]);
    if (hooks) emit('onTickFailed', { actor, input, error: reason });
    try {
      await ports.state.update(actor.id, {
        state: 'failed',
        metadata: {
          ...actor.metadata,
          lastTick: { at: started, durationMs: now() - started, errors: [reason.toJSON()] },
        },
      });
    } catch (error) {
      log('Could not mark the actor failed', {
        level: 'error',
        actorId: actor.id,
        error: errorMessage(error),
      });
    }
    return reason;
  }

  function statePortError(actor: Actor, error: unknown): PantheonError {
    return PantheonError.isInstance(error)
      ? error
      : new ActorError(`The actor state port failed: ${errorMessage(error)}`, actor.id, undefined, {
          code: 'STATE_UNAVAILABLE',
          cause: error,
        });
  }

  function contextPortError(actor: Actor, error: unknown): PantheonError {
    return PantheonError.isInstance(error)
      ? error
      : new ContextError(
          `The context port failed: ${errorMessage(error)}`,
          { actorId: actor.id },
          { code: 'CONTEXT_UNAVAILABLE', cause: error },
        );
  }

  /** The deps' own ports: what a tick without `ports` runs against. */
  const ownPorts: TickPortSet = { state, context, bus: deps.bus, llm, tools };

  function tickActor(actor: Actor, input: TickInput = {}, ports?: TickPorts): Promise<TickResult> {
    if (ports === undefined) return runTick(actor, input, ownPorts);
    return runTick(actor, input, {
      state: ports.state ?? state,
      context: ports.context ?? context,
      bus: ports.bus ?? deps.bus,
      llm: ports.llm ?? llm,
      tools: ports.tools ?? tools,
    });
  }

  async function runTick(actor: Actor, input: TickInput, ports: TickPortSet): Promise<TickResult> {
    const { state, context, llm, tools } = ports;
    const started = now();
    const signal = input.signal ?? NEVER_ABORTED;
    const hasInput = input.userMessage !== undefined;
    // Actor-wide memory ignores the conversation for history, not for routing.
    const conversationId = actor.script.memory === 'actor' ? undefined : input.conversationId;
    if (hooks) emit('onTickStart', { actor, input });

    try {
      await state.update(actor.id, { state: 'running' });
    } catch (error) {
      throw await failTick(ports, actor, input, statePortError(actor, error), started);
    }

    let messages: Message[];
    try {
      const compileStarted = hooks ? now() : 0;
      messages = await context.compile({
        texts: hasInput ? [input.userMessage as string] : [],
        sources: actor.script.contextSources,
        actorId: actor.id,
        conversationId,
        from: input.from,
        signal,
      });
      if (hooks) emit('onContextCompiled', { actor, messages, durationMs: now() - compileStarted });
    } catch (error) {
      throw await failTick(ports, actor, input, contextPortError(actor, error), started);
    }

    const goal = actor.goals.length === 1 ? (actor.goals[0] as string) : actor.goals.join('; ');
    const results: ActionResult[] = [];
    const errors: PantheonError[] = [];
    const budget: TickBudget = { actions: 0, spawns: 0 };
    // Ports get no signal when the tick cannot be cancelled, which spares them abort plumbing.
    const scope: ActionScope = {
      signal: input.signal,
      correlationId: input.correlationId,
      conversationId: input.conversationId,
      replyTo: input.replyTo,
      userMessage: input.userMessage,
      metadata: input.metadata,
      messageId: input.messageId,
      sent: 0,
      toolCalls: 0,
    };
    let done = false;
    const tickTools = keyedTools(tools, scope, ids, actor.id);

    // Indexed loops: a for-of that awaits keeps its iterator alive across suspensions, which
    // costs allocations on every message.
    const behaviors = input.resume
      ? resumedBehavior(actor, input.resume.behavior)
      : selectBehaviors(actor, hasInput);
    let approvals: TickResult['approvals'];
    for (let index = 0; index < behaviors.length; index++) {
      const behavior = behaviors[index] as Behavior;
      const behaviorStarted = hooks ? now() : 0;
      if (hooks) emit('onBehaviorStart', { actor, behavior });
      let error: PantheonError | undefined;
      let executed = 0;
      try {
        const behaviorPorts = observesCalls
          ? observedPorts(hooks, report, now, { llm, tools: tickTools }, actor, behavior)
          : { llm, tools: tickTools };
        const behaviorInput: BehaviorInput = {
          goal,
          context: messages,
          actor,
          llm: behaviorPorts.llm,
          tools: behaviorPorts.tools,
          signal,
        };
        if (input.emit) behaviorInput.emit = input.emit;
        const plan = validatePlan(
          input.resume
            ? await resumeBehavior(behavior, behaviorInput, input.resume)
            : await behavior.plan(behaviorInput),
          behavior.name,
          actor,
          limits,
          budget,
        );
        if (plan instanceof BehaviorError) {
          error = plan;
        } else {
          if (plan.awaitApproval) {
            approvals ??= [];
            approvals.push(heldForApproval(behavior, plan.awaitApproval));
          }
          for (let index = 0; index < plan.actions.length; index++) {
            if (signal.aborted) break;
            const action = plan.actions[index] as Action;
            if (hooks) emit('onActionStart', { actor, action });
            const result = await runAction(action, actor, scope, ports);
            if (hooks) emit('onActionEnd', { actor, result });
            results.push(result);
            executed++;
            if (result.error) errors.push(result.error);
          }
          if (plan.done === true) done = true;
        }
      } catch (thrown) {
        error = asBehaviorError(thrown, behavior.name);
      }
      if (error) errors.push(error);
      if (hooks) {
        emit('onBehaviorEnd', {
          actor,
          behavior,
          durationMs: now() - behaviorStarted,
          actions: executed,
          error,
        });
      }
    }

    // An aborted tick stops here: it records no history and leaves the state to its canceller.
    if (signal.aborted) {
      const reason = abortError(signal);
      logFailedTick(actor, input, [reason]);
      if (hooks) emit('onTickFailed', { actor, input, error: reason });
      throw reason;
    }

    if (context.append) {
      try {
        const history = historyOf(input, results, ids);
        const filed = conversationId === undefined ? undefined : { conversationId };
        for (let index = 0; index < history.length; index++) {
          const entry = history[index] as Message;
          if (filed) await context.append(actor.id, entry, filed);
          else await context.append(actor.id, entry);
        }
      } catch (error) {
        throw await failTick(ports, actor, input, contextPortError(actor, error), started);
      }
    }

    const finalState: ActorState = done ? 'completed' : errors.length > 0 ? 'failed' : 'idle';
    if (errors.length > 0) logFailedTick(actor, input, errors);
    const durationMs = now() - started;
    try {
      await state.update(actor.id, {
        state: finalState,
        // Frozen, so a state adapter that keeps snapshots can share it rather than copy it.
        metadata: Object.freeze({
          ...actor.metadata,
          lastTick: {
            at: started,
            durationMs,
            actions: results.length,
            errors: errors.map((error) => error.toJSON()),
          },
        }),
      });
    } catch (error) {
      throw await failTick(ports, actor, input, statePortError(actor, error), started);
    }

    const result: TickResult = {
      actorId: actor.id,
      state: finalState,
      actions: results,
      errors,
      durationMs,
    };
    if (approvals) result.approvals = approvals;
    if (hooks) emit('onTickEnd', { actor, result });
    return result;
  }

  async function executeAction(action: Action, actor: Actor): Promise<ActionResult> {
    const checked = check<Action>(ActionSchema, action);
    if (!checked.ok) throw invalidAction('executeAction', checked.issues);
    emit('onActionStart', { actor, action });
    const result = await runAction(action, actor, { signal: undefined }, ownPorts);
    emit('onActionEnd', { actor, result });
    if (result.error) throw result.error;
    return result;
  }

  function startActorLoop(actor: Actor, intervalMs = 5000): () => void {
    let stopped = false;
    let ticking = false;
    const stop = () => {
      stopped = true;
      cancel();
    };
    const cancel = schedule.every(intervalMs, async () => {
      if (stopped || ticking) return;
      ticking = true;
      try {
        const current = await state.get(actor.id);
        if (stopped) return;
        if (!current) {
          const error = new ActorError(
            `Actor "${actor.id}" is not in the state port; its loop stopped`,
            actor.id,
            undefined,
            { code: 'ACTOR_NOT_FOUND' },
          );
          log(error.message, { level: 'error', actorId: actor.id, code: error.code });
          if (hooks) emit('onTickFailed', { actor, input: {}, error });
          stop();
        } else if (current.state === 'completed' || current.state === 'stopped') {
          log(`Actor is ${current.state}; its loop stopped`, {
            level: 'info',
            actorId: actor.id,
          });
          stop();
        } else if (current.state !== 'paused') {
          // A failing tick has logged itself; the loop goes on.
          await tickActor(current).catch(() => {});
        }
      } catch (error) {
        log('Could not read the actor; its tick is skipped', {
          level: 'error',
          actorId: actor.id,
          code: PantheonError.isInstance(error) ? error.code : 'STATE_UNAVAILABLE',
          error: errorMessage(error),
        });
      } finally {
        ticking = false;
      }
    });
    return stop;
  }

  return { tickActor, startActorLoop, executeAction };
}
