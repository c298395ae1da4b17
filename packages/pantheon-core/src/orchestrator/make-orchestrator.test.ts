import { afterEach, describe, expect, it, vi } from 'vitest';
import { BehaviorError, PantheonError } from '../errors';
import type { Behavior, BehaviorInput } from '../types';
import {
  actorWith,
  fakeBus,
  fakeContext,
  fakeState,
  portsFor,
  scriptWith,
} from './fake-ports.test-support';
import { makeOrchestrator } from './make-orchestrator';
import type { OrchestratorHooks } from './types';

const say = (content: string, mode: Behavior['mode'] = 'active', target?: string): Behavior => ({
  name: `say-${content}`,
  mode,
  plan: () => ({ actions: [{ type: 'message', content, ...(target ? { target } : {}) }] }),
});

afterEach(() => {
  vi.useRealTimers();
});

describe('tickActor', () => {
  it('compiles context, runs the plan and sends its message on the bus', async () => {
    let seen: BehaviorInput | undefined;
    const actor = actorWith([
      {
        name: 'reply',
        mode: 'active',
        async plan(input) {
          seen = input;
          const reply = await input.llm.complete(input.context);
          return { actions: [{ type: 'message', content: reply.content }] };
        },
      },
    ]);
    actor.script.contextSources.push({ type: 'text', content: 'Be kind.' });
    const { deps, bus, state, context } = portsFor(actor);
    const result = await makeOrchestrator(deps).tickActor(actor, {
      userMessage: 'Hello',
      from: 'user-7',
      correlationId: 'c-1',
      metadata: { hops: 2 },
    });

    expect(result.errors).toEqual([]);
    expect(result.state).toBe('idle');
    expect(seen?.goal).toBe('help; be brief');
    expect(seen?.context).toEqual([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hello', name: 'user-7' },
    ]);
    expect(seen?.actor.id).toBe('actor-1');
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
    expect(bus.sent).toHaveLength(1);
    expect(bus.sent[0]).toMatchObject({
      from: 'actor-1',
      to: 'user',
      content: 'echo: Hello',
      correlationId: 'c-1',
      priority: 'normal',
      metadata: { hops: 2 },
    });
    expect(bus.sent[0]?.id).toEqual(expect.any(String));
    expect(result.actions[0]).toMatchObject({ ok: true, result: bus.sent[0] });

    const stored = state.actors.get('actor-1');
    expect(stored?.state).toBe('idle');
    expect(stored?.metadata?.lastTick).toMatchObject({ actions: 1, errors: [] });
    expect(context.history.get('actor-1')).toEqual([
      { role: 'user', content: 'Hello', name: 'user-7' },
      { role: 'assistant', content: 'echo: Hello', metadata: { target: 'user' } },
    ]);
  });

  it('gives sent messages stable ids derived from the handled message id', async () => {
    const actor = actorWith([say('one'), say('two')]);
    const { deps, bus } = portsFor(actor);
    const orchestrator = makeOrchestrator(deps);
    await orchestrator.tickActor(actor, { userMessage: 'x', messageId: 'm-7' });
    await orchestrator.tickActor(actor, { userMessage: 'x', messageId: 'm-7' });
    expect(bus.sent.map((message) => message.id)).toEqual(['m-7:0', 'm-7:1', 'm-7:0', 'm-7:1']);
  });

  it('selects active and persistent behaviors with input, passive and persistent without, by priority', async () => {
    const order: string[] = [];
    const track = (name: string, mode: Behavior['mode'], priority?: number): Behavior => ({
      name,
      mode,
      priority,
      plan: () => {
        order.push(name);
        return { actions: [] };
      },
    });
    const actor = actorWith([
      track('active-low', 'active'),
      track('passive', 'passive'),
      track('persistent', 'persistent'),
      track('active-high', 'active', 5),
    ]);
    const orchestrator = makeOrchestrator(portsFor(actor).deps);
    await orchestrator.tickActor(actor, { userMessage: 'hi' });
    expect(order).toEqual(['active-high', 'active-low', 'persistent']);
    order.length = 0;
    await orchestrator.tickActor(actor);
    expect(order).toEqual(['passive', 'persistent']);
  });

  it('calls plan as a method so class behaviors keep this', async () => {
    class Greeter implements Behavior {
      name = 'greeter';
      mode = 'active' as const;
      private greeting = 'Welcome';
      async plan() {
        return { actions: [{ type: 'message' as const, content: this.greeting }] };
      }
    }
    const actor = actorWith([new Greeter()]);
    const { deps, bus } = portsFor(actor);
    await makeOrchestrator(deps).tickActor(actor, { userMessage: 'hi' });
    expect(bus.sent[0]?.content).toBe('Welcome');
  });

  it('rejects a plan with a malformed action whole, naming the field, while other behaviors run', async () => {
    const actor = actorWith([
      {
        name: 'broken',
        mode: 'active',
        plan: () => ({
          actions: [
            { type: 'message', content: 'first' },
            { type: 'message', content: 7 } as never,
          ],
        }),
      },
      {
        name: 'unknown',
        mode: 'active',
        plan: () => ({ actions: [{ type: 'teleport' } as never] }),
      },
      say('still here'),
    ]);
    const { deps, bus, state } = portsFor(actor);
    const result = await makeOrchestrator(deps).tickActor(actor, { userMessage: 'go' });

    expect(bus.sent.map((message) => message.content)).toEqual(['still here']);
    expect(result.errors.map((error) => error.code)).toEqual(['INVALID_ACTION', 'INVALID_ACTION']);
    expect(result.errors[0]?.message).toContain('actions[1].content');
    expect(result.errors[0]).toBeInstanceOf(BehaviorError);
    expect((result.errors[0] as BehaviorError).behaviorName).toBe('broken');
    expect(result.errors[1]?.message).toContain('actions[0].type');
    expect(result.state).toBe('failed');
    expect(state.actors.get('actor-1')?.state).toBe('failed');
  });

  it('rejects a plan that is not { actions: [] }', async () => {
    const actor = actorWith([{ name: 'empty', mode: 'active', plan: () => undefined as never }]);
    const result = await makeOrchestrator(portsFor(actor).deps).tickActor(actor, {
      userMessage: 'x',
    });
    expect(result.errors[0]?.code).toBe('INVALID_ACTION');
    expect(result.errors[0]?.message).toContain('actions');
  });

  it('records a throwing behavior, wrapping foreign errors and keeping Pantheon errors, and runs the rest', async () => {
    const cause = new TypeError('boom');
    const typed = new PantheonError('typed', 'TOOL_FAILED');
    const actor = actorWith([
      { name: 'throws', mode: 'active', plan: () => Promise.reject(cause) },
      { name: 'throws-typed', mode: 'active', plan: () => Promise.reject(typed) },
      say('after'),
    ]);
    const { deps, bus } = portsFor(actor);
    const result = await makeOrchestrator(deps).tickActor(actor, { userMessage: 'x' });
    expect(result.errors[0]).toBeInstanceOf(BehaviorError);
    expect(result.errors[0]?.code).toBe('BEHAVIOR_ERROR');
    expect(result.errors[0]?.cause).toBe(cause);
    expect(result.errors[1]).toBe(typed);
    expect(bus.sent.map((message) => message.content)).toEqual(['after']);
    expect(result.state).toBe('failed');
  });

  it('fails with ACTOR_NOT_FOUND for an actor the state port does not know', async () => {
    const actor = actorWith([say('x')]);
    const { deps, bus } = portsFor(actor, { state: fakeState([]) });
    await expect(
      makeOrchestrator(deps).tickActor(actor, { userMessage: 'x' }),
    ).rejects.toMatchObject({
      code: 'ACTOR_NOT_FOUND',
      actorId: 'actor-1',
    });
    expect(bus.sent).toEqual([]);
  });

  it('fails the tick when the context port fails and leaves the actor failed with the reason', async () => {
    const actor = actorWith([say('never')]);
    const context = fakeContext();
    context.compile = () => Promise.reject(new Error('index offline'));
    const { deps, bus, state } = portsFor(actor, { context });
    const failure = makeOrchestrator(deps).tickActor(actor, { userMessage: 'x' });
    await expect(failure).rejects.toMatchObject({
      name: 'ContextError',
      code: 'CONTEXT_UNAVAILABLE',
    });
    expect(bus.sent).toEqual([]);
    const stored = state.actors.get('actor-1');
    expect(stored?.state).toBe('failed');
    expect(stored?.metadata?.lastTick).toMatchObject({
      errors: [{ code: 'CONTEXT_UNAVAILABLE', message: expect.stringContaining('index offline') }],
    });
  });

  it('fails the tick with a typed error when the state port fails', async () => {
    const actor = actorWith([say('x')]);
    const state = fakeState([actor]);
    state.update = () => Promise.reject(new Error('disk full'));
    const { deps, logs } = portsFor(actor, { state });
    await expect(
      makeOrchestrator(deps).tickActor(actor, { userMessage: 'x' }),
    ).rejects.toMatchObject({
      name: 'ActorError',
      code: 'STATE_UNAVAILABLE',
    });
    expect(logs.some((entry) => entry.message.includes('Could not mark the actor failed'))).toBe(
      true,
    );
  });

  it('marks the actor completed when a behavior says done', async () => {
    const actor = actorWith([
      { name: 'finish', mode: 'active', plan: () => ({ actions: [], done: true }) },
    ]);
    const { deps, state } = portsFor(actor);
    const result = await makeOrchestrator(deps).tickActor(actor, { userMessage: 'bye' });
    expect(result.state).toBe('completed');
    expect(state.actors.get('actor-1')?.state).toBe('completed');
  });

  it('enforces maxActionsPerTick across behaviors without running the plan that exceeds it', async () => {
    const many = (count: number): Behavior => ({
      name: `many-${count}`,
      mode: 'active',
      plan: () => ({
        actions: Array.from({ length: count }, (_, index) => ({
          type: 'message' as const,
          content: `${count}-${index}`,
        })),
      }),
    });
    const actor = actorWith([many(2), many(2)]);
    const { deps, bus } = portsFor(actor, { limits: { maxActionsPerTick: 3 } });
    const result = await makeOrchestrator(deps).tickActor(actor, { userMessage: 'x' });
    expect(bus.sent).toHaveLength(2);
    expect(result.errors[0]).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'maxActionsPerTick', max: 3 },
    });
  });

  it('runs a tick against the ports given for it, leaving the deps untouched', async () => {
    const worker: Behavior = {
      name: 'work',
      mode: 'active',
      plan: () => ({
        actions: [
          { type: 'context', operation: 'write', target: 'notes', data: 'kept' },
          { type: 'spawn', actor: scriptWith([]), goal: 'help' },
          { type: 'message', content: 'done' },
        ],
      }),
    };
    const actor = actorWith([worker]);
    const { deps, state, context, bus } = portsFor(actor);
    const ports = { state: fakeState([actor]), context: fakeContext(), bus: fakeBus() };
    const orchestrator = makeOrchestrator(deps);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Hi' }, ports);
    expect(result.errors).toEqual([]);
    expect(ports.state.actors.get('actor-1')?.state).toBe('idle');
    expect(ports.state.actors.size).toBe(2);
    expect(ports.context.store.get('actor-1/notes')).toBe('kept');
    expect(ports.context.history.get('actor-1')).toHaveLength(2);
    expect(ports.bus.sent.map((message) => message.content)).toEqual(['done']);
    // The deps saw nothing of that tick …
    expect(state.actors.get('actor-1')?.metadata).toBeUndefined();
    expect(state.actors.size).toBe(1);
    expect(context.store.size).toBe(0);
    expect(context.history.size).toBe(0);
    expect(bus.sent).toEqual([]);
    // … and the next tick without ports uses them again.
    await orchestrator.tickActor(actor, { userMessage: 'Again' });
    expect(bus.sent.map((message) => message.content)).toEqual(['done']);
    expect(context.store.get('actor-1/notes')).toBe('kept');
  });

  it('fails a tick in the state port given for it when its context port fails', async () => {
    const actor = actorWith([say('hi')]);
    const { deps, state } = portsFor(actor);
    const ports = {
      state: fakeState([actor]),
      context: {
        compile: async () => {
          throw new Error('disk gone');
        },
      },
    };
    await expect(
      makeOrchestrator(deps).tickActor(actor, { userMessage: 'x' }, ports),
    ).rejects.toMatchObject({ code: 'CONTEXT_UNAVAILABLE' });
    expect(ports.state.actors.get('actor-1')?.state).toBe('failed');
    expect(state.actors.get('actor-1')?.state).toBe('idle');
  });

  it('calls hooks in order and ignores a hook that throws', async () => {
    const events: string[] = [];
    const hooks: OrchestratorHooks = {
      onTickStart: () => events.push('tick:start'),
      onContextCompiled: () => events.push('context'),
      onBehaviorStart: ({ behavior }) => events.push(`behavior:start:${behavior.name}`),
      onActionStart: ({ action }) => events.push(`action:start:${action.type}`),
      onActionEnd: ({ result }) => events.push(`action:end:${result.ok}`),
      onBehaviorEnd: ({ behavior, actions }) => {
        events.push(`behavior:end:${behavior.name}:${actions}`);
        throw new Error('hook bug');
      },
      onTickEnd: ({ result }) => events.push(`tick:end:${result.state}`),
    };
    const actor = actorWith([say('hi')]);
    const { deps, logs } = portsFor(actor, { hooks });
    const result = await makeOrchestrator(deps).tickActor(actor, { userMessage: 'x' });
    expect(result.errors).toEqual([]);
    expect(events).toEqual([
      'tick:start',
      'context',
      'behavior:start:say-hi',
      'action:start:message',
      'action:end:true',
      'behavior:end:say-hi:1',
      'tick:end:idle',
    ]);
    expect(logs.some((entry) => entry.message.includes('onBehaviorEnd'))).toBe(true);
  });
});

describe('actions', () => {
  it('tool: returns and records the result, honouring the action timeout', async () => {
    vi.useFakeTimers();
    let toolSignal: AbortSignal | undefined;
    const actor = actorWith([
      {
        name: 'use-tools',
        mode: 'active',
        plan: () => ({
          actions: [
            { type: 'tool', name: 'add', args: { a: 2, b: 3 } },
            { type: 'tool', name: 'slow', args: {}, timeout: 50 },
          ],
        }),
      },
    ]);
    const { deps, context } = portsFor(actor);
    deps.tools.register({
      name: 'add',
      description: 'adds',
      parameters: { type: 'object' },
      execute: ({ a, b }: { a: number; b: number }) => a + b,
    });
    deps.tools.register({
      name: 'slow',
      description: 'never ends',
      parameters: { type: 'object' },
      execute: (_args: unknown, context?: { signal?: AbortSignal }) => {
        toolSignal = context?.signal;
        return new Promise(() => {});
      },
    });
    const tick = makeOrchestrator(deps).tickActor(actor, { userMessage: 'x' });
    await vi.advanceTimersByTimeAsync(50);
    const result = await tick;

    expect(result.actions[0]).toMatchObject({ ok: true, result: 5 });
    expect(result.actions[1]).toMatchObject({
      ok: false,
      error: { name: 'ToolError', code: 'TOOL_TIMEOUT' },
    });
    expect(toolSignal?.aborted).toBe(true);
    const history = context.history.get('actor-1') ?? [];
    expect(history[1]).toMatchObject({
      role: 'assistant',
      toolCalls: [{ name: 'add', args: { a: 2, b: 3 } }],
    });
    expect(history[2]).toMatchObject({
      role: 'tool',
      content: '5',
      name: 'add',
      toolCallId: history[1]?.toolCalls?.[0]?.id,
    });
  });

  it('tool: wraps a foreign failure as TOOL_FAILED with the cause', async () => {
    const actor = actorWith([
      {
        name: 't',
        mode: 'active',
        plan: () => ({ actions: [{ type: 'tool', name: 'missing', args: {} }] }),
      },
    ]);
    const result = await makeOrchestrator(portsFor(actor).deps).tickActor(actor, {
      userMessage: 'x',
    });
    expect(result.actions[0]?.error).toMatchObject({ code: 'TOOL_FAILED', toolName: 'missing' });
    expect(result.actions[0]?.error?.cause).toBeInstanceOf(Error);
  });

  it('spawn: creates a child with its parent and depth, within the depth and fan-out limits', async () => {
    const child = scriptWith([], []);
    const spawner = (count: number): Behavior => ({
      name: 'spawner',
      mode: 'active',
      plan: () => ({
        actions: Array.from({ length: count }, () => ({
          type: 'spawn' as const,
          actor: child,
          goal: 'assist',
          config: { tier: 1 },
        })),
      }),
    });
    const actor = actorWith([spawner(2)]);
    const { deps, state } = portsFor(actor, { limits: { maxSpawnsPerTick: 2, maxSpawnDepth: 2 } });
    const orchestrator = makeOrchestrator(deps);
    const result = await orchestrator.tickActor(actor, { userMessage: 'x' });
    expect(result.errors).toEqual([]);
    const spawned = [...state.actors.values()].filter((candidate) => candidate.id !== 'actor-1');
    expect(spawned).toHaveLength(2);
    expect(spawned[0]).toMatchObject({
      goals: ['assist'],
      metadata: { parentId: 'actor-1', spawnDepth: 1, config: { tier: 1 } },
    });

    const fanOut = await orchestrator.tickActor(actorWith([spawner(3)]), { userMessage: 'x' });
    expect(fanOut.errors[0]).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'maxSpawnsPerTick' },
    });

    const deep = actorWith([spawner(1)], { metadata: { spawnDepth: 2 } });
    const tooDeep = await orchestrator.tickActor(deep, { userMessage: 'x' });
    expect(tooDeep.errors[0]).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'maxSpawnDepth', value: 3 },
    });
    expect(state.actors.size).toBe(3);
  });

  it('wait: waits on the scheduler and can be aborted', async () => {
    vi.useFakeTimers();
    const actor = actorWith([
      {
        name: 'pause',
        mode: 'active',
        plan: () => ({
          actions: [
            { type: 'wait', duration: 1000 },
            { type: 'message', content: 'after' },
          ],
        }),
      },
    ]);
    const { deps, bus } = portsFor(actor);
    const orchestrator = makeOrchestrator(deps);
    const tick = orchestrator.tickActor(actor, { userMessage: 'x' });
    await vi.advanceTimersByTimeAsync(999);
    expect(bus.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const result = await tick;
    expect(result.actions[0]).toMatchObject({ ok: true, result: { waitedMs: 1000 } });
    expect(bus.sent.map((message) => message.content)).toEqual(['after']);

    const controller = new AbortController();
    const aborted = orchestrator.tickActor(actor, { userMessage: 'x', signal: controller.signal });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    // An aborted tick runs nothing more, records nothing and rejects with the abort.
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    expect(bus.sent.map((message) => message.content)).toEqual(['after']);
  });

  it('wait: longer than maxWaitMs is rejected', async () => {
    const actor = actorWith([
      {
        name: 'long',
        mode: 'active',
        plan: () => ({ actions: [{ type: 'wait', duration: 5000 }] }),
      },
    ]);
    const result = await makeOrchestrator(
      portsFor(actor, { limits: { maxWaitMs: 1000 } }).deps,
    ).tickActor(actor, { userMessage: 'x' });
    expect(result.errors[0]).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'maxWaitMs' },
    });
  });

  it('context: writes, reads and deletes the actor’s store entries', async () => {
    const actor = actorWith([]);
    const { deps, context } = portsFor(actor);
    const orchestrator = makeOrchestrator(deps);
    await orchestrator.executeAction(
      { type: 'context', operation: 'write', target: 'notes', data: { n: 1 } },
      actor,
    );
    expect(context.store.get('actor-1/notes')).toEqual({ n: 1 });
    const read = await orchestrator.executeAction(
      { type: 'context', operation: 'read', target: 'notes' },
      actor,
    );
    expect(read.result).toEqual({ n: 1 });
    await orchestrator.executeAction(
      { type: 'context', operation: 'delete', target: 'notes' },
      actor,
    );
    expect(context.store.has('actor-1/notes')).toBe(false);
  });

  it('context: an adapter without a store is a typed CONTEXT_STORE_UNSUPPORTED error', async () => {
    const actor = actorWith([]);
    const { deps } = portsFor(actor, { context: { compile: async () => [] } });
    await expect(
      makeOrchestrator(deps).executeAction(
        { type: 'context', operation: 'read', target: 'x' },
        actor,
      ),
    ).rejects.toMatchObject({ name: 'ContextError', code: 'CONTEXT_STORE_UNSUPPORTED' });
  });

  it('executeAction validates the action and rejects with its typed error', async () => {
    const actor = actorWith([]);
    const orchestrator = makeOrchestrator(portsFor(actor).deps);
    await expect(
      orchestrator.executeAction({ type: 'message' } as never, actor),
    ).rejects.toMatchObject({
      code: 'INVALID_ACTION',
      message: expect.stringContaining('content'),
    });
    await expect(
      orchestrator.executeAction({ type: 'tool', name: 'nope', args: {} }, actor),
    ).rejects.toMatchObject({
      code: 'TOOL_FAILED',
    });
  });
});

describe('startActorLoop', () => {
  it('re-reads the actor every tick, never overlaps ticks, and stops', async () => {
    vi.useFakeTimers();
    const goals: string[] = [];
    let running = 0;
    let overlapped = false;
    const actor = actorWith([
      {
        name: 'slow-passive',
        mode: 'passive',
        async plan({ goal }) {
          goals.push(goal);
          running++;
          if (running > 1) overlapped = true;
          await new Promise((resolve) => setTimeout(resolve, 2500));
          running--;
          return { actions: [] };
        },
      },
    ]);
    const { deps, state } = portsFor(actor);
    const stop = makeOrchestrator(deps).startActorLoop(actor, 1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(goals).toHaveLength(1);
    state.actors.set('actor-1', { ...state.actors.get('actor-1')!, goals: ['new goal'] });
    await vi.advanceTimersByTimeAsync(3000);
    expect(overlapped).toBe(false);
    expect(goals).toEqual(['help; be brief', 'new goal']);
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(goals).toHaveLength(2);
  });

  it('stops when the actor is gone or completed, and skips paused actors', async () => {
    vi.useFakeTimers();
    let ticks = 0;
    const actor = actorWith([
      {
        name: 'count',
        mode: 'passive',
        plan: () => {
          ticks++;
          return { actions: [] };
        },
      },
    ]);
    const { deps, state, logs } = portsFor(actor);
    makeOrchestrator(deps).startActorLoop(actor, 100);
    await vi.advanceTimersByTimeAsync(200);
    expect(ticks).toBe(2);
    state.actors.set('actor-1', { ...state.actors.get('actor-1')!, state: 'paused' });
    await vi.advanceTimersByTimeAsync(300);
    expect(ticks).toBe(2);
    state.actors.delete('actor-1');
    await vi.advanceTimersByTimeAsync(100);
    expect(logs.at(-1)).toMatchObject({ meta: { code: 'ACTOR_NOT_FOUND' } });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('conversations in a tick', () => {
  it('reads and writes the conversation’s history, and actor-wide history for memory: actor', async () => {
    const actor = actorWith([say('noted')]);
    const { deps, context } = portsFor(actor);
    const orchestrator = makeOrchestrator(deps);
    await orchestrator.tickActor(actor, { userMessage: 'first', conversationId: 'a' });
    await orchestrator.tickActor(actor, { userMessage: 'second', conversationId: 'b' });
    expect(context.history.get('actor-1/a')?.map((entry) => entry.content)).toEqual([
      'first',
      'noted',
    ]);
    expect(context.history.get('actor-1/b')?.map((entry) => entry.content)).toEqual([
      'second',
      'noted',
    ]);
    const rememberer = actorWith([say('ok')], { id: 'r' });
    rememberer.script.memory = 'actor';
    await deps.state.spawn(rememberer.script, 'remember', { id: 'r' });
    await orchestrator.tickActor(rememberer, { userMessage: 'one', conversationId: 'a' });
    await orchestrator.tickActor(rememberer, { userMessage: 'two', conversationId: 'b' });
    expect(context.history.get('r')?.map((entry) => entry.content)).toEqual([
      'one',
      'ok',
      'two',
      'ok',
    ]);
  });

  it('rejects a hand-off in a tick without a message as INVALID_ACTION', async () => {
    const actor = actorWith([
      {
        name: 'pass',
        mode: 'passive',
        plan: () => ({ actions: [{ type: 'handoff', target: 'b' }] }),
      },
    ]);
    const { deps, bus } = portsFor(actor);
    const result = await makeOrchestrator(deps).tickActor(actor);
    expect(result.errors).toEqual([expect.objectContaining({ code: 'INVALID_ACTION' })]);
    expect(bus.sent).toEqual([]);
  });

  it('logs a failed tick once, with the actor, message and code', async () => {
    const actor = actorWith([
      {
        name: 'broken',
        mode: 'active',
        plan: () => {
          throw new BehaviorError('nope', 'broken');
        },
      },
    ]);
    const { deps, logs } = portsFor(actor);
    await makeOrchestrator(deps).tickActor(actor, { userMessage: 'x', messageId: 'm-1' });
    expect(logs).toEqual([
      {
        message: 'Tick failed',
        meta: expect.objectContaining({
          level: 'error',
          actorId: 'actor-1',
          messageId: 'm-1',
          code: 'BEHAVIOR_ERROR',
        }),
      },
    ]);
  });
});
