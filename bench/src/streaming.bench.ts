import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type LlmPort,
  type LlmStreamEvent,
  llmBehavior,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { measure, medianRatio } from './measure';

const DELTAS = 20;
const words = Array.from({ length: DELTAS }, (_, index) => `word${index} `);
const answer = words.join('');

/** A model answering with 20 words, streamed one word per event. */
const wordModel: LlmPort = {
  async complete() {
    return { role: 'assistant', content: answer };
  },
  async *stream(): AsyncIterable<LlmStreamEvent> {
    for (const delta of words) yield { type: 'text-delta', delta };
    yield { type: 'finish', message: { role: 'assistant', content: answer } };
  },
};

/**
 * What `PantheonSystem.stream` costs per request over `ask` (the same `llmBehavior` answering
 * with 20 words), and the raw baseline: reading the model's 20-event stream directly.
 */
export async function benchStreaming() {
  const scheduler = new NodeScheduler();
  const system = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter({ maxHistoryPerConversation: 20 }),
    toolAdapter: new InMemoryToolAdapter(),
    llmAdapter: wordModel,
    messageBus: new InMemoryMessageBus(),
    scheduler,
    actorStateAdapter: new InMemoryActorStateAdapter(),
    log: () => {},
  });
  const script = {
    name: 'writer',
    talents: [{ name: 'write', behaviors: [llmBehavior({ name: 'write' })] }],
    contextSources: [],
  };
  await system.createActor({ id: 'writer', name: 'writer', script, goals: ['Write'] });
  await system.startActor('writer');
  const options = { iterations: 5_000, warmup: 1_000 };
  const results = [
    await measure(
      `raw: read a ${DELTAS}-event model stream`,
      async () => {
        let text = '';
        for await (const event of wordModel.stream!([])) {
          if (event.type === 'text-delta') text += event.delta;
        }
        return text;
      },
      options,
    ),
    await measure('ask: one request, answer whole', () => system.ask('writer', 'Write'), options),
    await measure(
      `stream: one request, ${DELTAS} text deltas then the answer`,
      async () => {
        let deltas = 0;
        for await (const event of system.stream('writer', 'Write')) {
          if (event.type === 'text-delta') deltas++;
        }
        return deltas;
      },
      options,
    ),
  ];
  await system.shutdown();
  scheduler.stopAll();
  const [raw, ask, stream] = results.map((result) => result.name) as [string, string, string];
  return {
    results,
    streamOverAsk: medianRatio(results, stream, ask),
    streamOverRaw: medianRatio(results, stream, raw),
  };
}

if (process.argv[1]?.endsWith('streaming.bench.ts')) {
  console.log(JSON.stringify(await benchStreaming(), null, 2));
}
