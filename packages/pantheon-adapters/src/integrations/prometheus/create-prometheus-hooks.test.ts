import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type Action,
  type ActorScript,
  type ContextPort,
  llmBehavior,
  makeOrchestrator,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RUNTIME_METRICS } from '../runtime-metrics/runtime-metrics';
import { createPrometheusHooks } from './create-prometheus-hooks';

/** The sample lines of a scrape, e.g. `pantheon_active_actors 0`. */
async function scrape(registry: Registry): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function setup(context: ContextPort = new InMemoryContextAdapter()) {
  let clock = 1_000_000;
  let activeDuringTick: number | undefined;
  const registry = new Registry();
  const hooks = createPrometheusHooks({ registry, contextAdapterType: 'in-memory' });
  const tools = new InMemoryToolAdapter();
  tools.register({
    name: 'slow-add',
    description: 'Adds, taking two seconds of the test clock',
    parameters: {
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    },
    execute: async ({ a, b }: { a: number; b: number }) => {
      clock += 2000;
      activeDuringTick = (await hooks.metrics.activeActors.get()).values[0]?.value;
      return a + b;
    },
  });
  const state = new InMemoryActorStateAdapter();
  let actions: Action[] = [];
  const orchestrator = makeOrchestrator({
    now: () => clock,
    log: () => {},
    context,
    tools,
    llm: { complete: async () => ({ role: 'assistant', content: 'ok' }) },
    bus: new InMemoryMessageBus(),
    schedule: new NodeScheduler(),
    state,
    hooks,
  });
  const actor = await state.spawn(
    {
      name: 'greeter-script',
      talents: [
        { name: 'talk', behaviors: [{ name: 'reply', mode: 'active', plan: () => ({ actions }) }] },
      ],
      contextSources: [{ type: 'text', content: 'Be brief.' }],
    },
    'greet',
    { name: 'greeter' },
  );
  return {
    registry,
    hooks,
    orchestrator,
    actor,
    setActions: (next: Action[]) => {
      actions = next;
    },
    activeDuringTick: () => activeDuringTick,
  };
}

describe('createPrometheusHooks', () => {
  it('counts ticks, times actions and context compilation, and tracks ticks in flight', async () => {
    const { registry, orchestrator, actor, setActions, activeDuringTick } = await setup();
    setActions([
      { type: 'tool', name: 'slow-add', args: { a: 1, b: 2 } },
      { type: 'message', content: 'hello' },
    ]);
    await orchestrator.tickActor(actor, { userMessage: 'hi' });
    await orchestrator.tickActor(actor, { userMessage: 'again' });
    expect(activeDuringTick()).toBe(1);
    setActions([{ type: 'tool', name: 'missing-tool', args: {} }]);
    await orchestrator.tickActor(actor, { userMessage: 'fail' });

    const samples = await scrape(registry);
    expect(samples.get('pantheon_actor_ticks_total{actor_name="greeter",status="success"}')).toBe(
      2,
    );
    expect(samples.get('pantheon_actor_ticks_total{actor_name="greeter",status="error"}')).toBe(1);
    const action = (labels: string) => `pantheon_action_execution_duration_seconds${labels}`;
    expect(samples.get(action('_count{action_type="tool",status="success"}'))).toBe(2);
    expect(samples.get(action('_sum{action_type="tool",status="success"}'))).toBe(4);
    expect(samples.get(action('_bucket{le="1",action_type="tool",status="success"}'))).toBe(0);
    expect(samples.get(action('_bucket{le="2",action_type="tool",status="success"}'))).toBe(2);
    expect(samples.get(action('_count{action_type="message",status="success"}'))).toBe(2);
    expect(samples.get(action('_count{action_type="tool",status="error"}'))).toBe(1);
    expect(
      samples.get('pantheon_context_compilation_duration_seconds_count{adapter_type="in-memory"}'),
    ).toBe(3);
    expect(
      samples.get(
        'pantheon_behavior_duration_seconds_count{behavior_name="reply",status="success"}',
      ),
    ).toBe(3); // the plans succeeded; the failing action counts as an action error
    expect(samples.get('pantheon_active_actors')).toBe(0);
  });

  it('counts rejected ticks through onTickFailed and reuses metrics on the same registry', async () => {
    const failing: ContextPort = {
      compile: async () => {
        throw new Error('vector store down');
      },
    };
    const { registry, hooks, orchestrator, actor } = await setup(failing);
    await expect(orchestrator.tickActor(actor, { userMessage: 'hi' })).rejects.toMatchObject({
      code: 'CONTEXT_UNAVAILABLE',
    });
    const again = createPrometheusHooks({ registry });
    expect(again.metrics.actorTicks).toBe(hooks.metrics.actorTicks);
    const samples = await scrape(registry);
    expect(samples.get('pantheon_active_actors')).toBe(0);
    expect(samples.get('pantheon_actor_ticks_total{actor_name="greeter",status="rejected"}')).toBe(
      1,
    );
  });
});

describe('createPrometheusHooks: runtime metrics of a system', () => {
  it('keeps the runtime metrics under the names RUNTIME_METRICS documents', async () => {
    const registry = new Registry();
    const hooks = createPrometheusHooks({ registry, perActorMailboxes: true });
    const tools = new InMemoryToolAdapter();
    tools.register({
      name: 'flaky-lookup',
      description: 'Fails',
      parameters: { type: 'object', properties: {} },
      execute: async () => {
        throw new Error('down');
      },
    });
    const pantheon = new PantheonSystem({
      contextAdapter: new InMemoryContextAdapter(),
      toolAdapter: tools,
      llmAdapter: {
        complete: async (messages) =>
          messages.at(-1)?.role === 'tool'
            ? {
                role: 'assistant',
                content: 'sorry',
                metadata: { model: 'm-1', usage: { inputTokens: 5, outputTokens: 1 } },
              }
            : {
                role: 'assistant',
                content: '',
                toolCalls: [{ id: 'c1', name: 'flaky-lookup', args: {} }],
                metadata: { model: 'm-1', usage: { inputTokens: 4, outputTokens: 2 } },
              },
      },
      messageBus: new InMemoryMessageBus(),
      scheduler: new NodeScheduler(),
      actorStateAdapter: new InMemoryActorStateAdapter(),
      hooks,
      log: () => {},
    });
    const stop = hooks.observe(pantheon);
    const script: ActorScript = {
      name: 'helper-script',
      talents: [
        { name: 't', behaviors: [llmBehavior({ name: 'answer', tools: ['flaky-lookup'] })] },
      ],
      contextSources: [],
    };
    await pantheon.createActor({ id: 'helper', name: 'helper', script, goals: [] });
    await pantheon.createActor({ id: 'idle', name: 'idle', script, goals: [] });
    await pantheon.startActor('helper');
    expect((await pantheon.ask('helper', 'look it up')).content).toBe('sorry');
    await pantheon.whenIdle();
    await pantheon.sendMessage('idle', 'later');
    await expect(
      pantheon.ask('helper', 'on a budget', { budget: { modelCalls: 0 } }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    const samples = await scrape(registry);
    expect(samples.get('pantheon_budgets_exceeded_total{limit="modelCalls"}')).toBe(1);
    expect(samples.get('pantheon_model_tokens_total{model="m-1",token_type="input"}')).toBe(9);
    expect(samples.get('pantheon_model_tokens_total{model="m-1",token_type="output"}')).toBe(3);
    expect(
      samples.get('pantheon_tool_duration_seconds_count{tool="flaky-lookup",status="error"}'),
    ).toBe(1);
    expect(
      samples.get('pantheon_tick_duration_seconds_count{actor_name="helper",status="success"}'),
    ).toBe(1);
    expect(
      samples.get('pantheon_model_call_duration_seconds_count{model="m-1",status="success"}'),
    ).toBe(2);
    expect(samples.get('pantheon_mailbox_depth{actor_id="idle"}')).toBe(1);
    expect(samples.get('pantheon_mailbox_depth{actor_id="helper"}')).toBe(0);
    expect(samples.get('pantheon_pending_asks')).toBe(0);
    expect(
      samples.get('pantheon_mailbox_oldest_message_age_seconds{actor_id="idle"}'),
    ).toBeLessThan(60);
    stop();
    await pantheon.shutdown({ drain: false });
    for (const definition of Object.values(RUNTIME_METRICS)) {
      expect(await registry.metrics()).toContain(`# HELP ${definition.prometheus} `);
    }
  });
});
