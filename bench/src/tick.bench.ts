import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type Action,
  type Behavior,
  type BusMessage,
  type Message,
  makeOrchestrator,
} from '@promethean-os/pantheon-core';
import { addTool, instantModel } from './fixtures';
import { type Measurement, measure, medianRatio } from './measure';

async function pantheonTick(withTool: boolean) {
  const tools = new InMemoryToolAdapter();
  tools.register(addTool);
  const state = new InMemoryActorStateAdapter();
  const bus = new InMemoryMessageBus();
  let delivered = 0;
  bus.subscribe(() => {
    delivered++;
  });
  const reply: Behavior = {
    name: 'reply',
    mode: 'active',
    async plan({ context, llm }) {
      const answer = await llm.complete(context);
      const actions: Action[] = [{ type: 'message', content: answer.content }];
      if (withTool) actions.unshift({ type: 'tool', name: 'add', args: { a: 1, b: 2 } });
      return { actions };
    },
  };
  const orchestrator = makeOrchestrator({
    now: Date.now,
    log: () => {},
    context: new InMemoryContextAdapter(),
    tools,
    llm: instantModel,
    bus,
    schedule: new NodeScheduler(),
    state,
  });
  const actor = await state.spawn(
    {
      name: 'bench',
      talents: [{ name: 'talent', behaviors: [reply] }],
      contextSources: [{ type: 'text', content: 'Be brief.' }],
    },
    'answer',
  );
  const input = { userMessage: 'Hi' };
  return { tick: () => orchestrator.tickActor(actor, input), delivered: () => delivered };
}

/** The same work as plain function calls: read state, build context, call the model, deliver, record. */
function rawTick(withTool: boolean) {
  const actor = { id: 'raw', state: 'idle', goals: ['answer'] };
  const history: Message[] = [];
  const delivered: BusMessage[] = [];
  const handler = (message: BusMessage) => {
    delivered.push(message);
    if (delivered.length > 1000) delivered.length = 0;
  };
  return async () => {
    actor.state = 'running';
    const context: Message[] = [
      { role: 'system', content: 'Be brief.' },
      ...history.slice(-20),
      { role: 'user', content: 'Hi' },
    ];
    const answer = await instantModel.complete(context);
    if (withTool) {
      const result = addTool.execute({ a: 1, b: 2 });
      history.push({ role: 'tool', content: String(result) });
    }
    handler({
      id: crypto.randomUUID(),
      from: actor.id,
      to: 'user',
      content: answer.content,
      timestamp: Date.now(),
    });
    history.push({ role: 'user', content: 'Hi' }, { role: 'assistant', content: answer.content });
    if (history.length > 1000) history.splice(0, history.length - 1000);
    actor.state = 'idle';
  };
}

/** Median and p99 of one `tickActor` (with and without a tool call), next to the raw baseline. */
export async function benchTick(): Promise<{
  results: Measurement[];
  ratios: Record<string, number>;
}> {
  const results: Measurement[] = [];
  for (const withTool of [false, true]) {
    const suffix = withTool ? 'message+tool' : 'message';
    results.push(await measure(`raw-baseline.${suffix}`, rawTick(withTool)));
    const pantheon = await pantheonTick(withTool);
    results.push(await measure(`tickActor.${suffix}`, pantheon.tick));
    if (pantheon.delivered() === 0) throw new Error('the benchmark tick delivered no message');
  }
  return {
    results,
    ratios: {
      'tickActor.message / raw-baseline.message': medianRatio(
        results,
        'tickActor.message',
        'raw-baseline.message',
      ),
      'tickActor.message+tool / raw-baseline.message+tool': medianRatio(
        results,
        'tickActor.message+tool',
        'raw-baseline.message+tool',
      ),
    },
  };
}
