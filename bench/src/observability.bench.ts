import type { ExportResult } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { createOtelHooks } from '@promethean-os/pantheon-adapters/otel';
import { createPrometheusHooks } from '@promethean-os/pantheon-adapters/prometheus';
import { type OrchestratorHooks, PantheonSystem } from '@promethean-os/pantheon-core';
import { createInspectorRecorder } from '@promethean-os/pantheon-inspector';
import { Registry } from 'prom-client';
import { instantModel, replyScript } from './fixtures';
import { median, round } from './measure';

/** Drops every span after the batch processor handed it over: the cost of the SDK, not of I/O. */
class DiscardingExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

type Setup = () => { hooks?: OrchestratorHooks; observe?: (system: PantheonSystem) => void };

const SETUPS: Record<string, Setup> = {
  none: () => ({}),
  otel: () => {
    const tracerProvider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(new DiscardingExporter())],
    });
    const hooks = createOtelHooks({ tracerProvider });
    return { hooks, observe: (system) => hooks.observe(system) };
  },
  prometheus: () => {
    const hooks = createPrometheusHooks({ registry: new Registry() });
    return { hooks, observe: (system) => hooks.observe(system) };
  },
  inspectorRecorder: () => ({ hooks: createInspectorRecorder().hooks }),
};

/** Messages per second through one actor (send → tick → reply), at most 1,000 in flight. */
async function throughput(setup: Setup, count: number): Promise<number> {
  const { hooks, observe } = setup();
  const system = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter({ maxHistoryPerConversation: 20 }),
    toolAdapter: new InMemoryToolAdapter(),
    llmAdapter: instantModel,
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    actorStateAdapter: new InMemoryActorStateAdapter(),
    hooks,
  });
  observe?.(system);
  let replies = 0;
  system.on('reply', () => {
    replies++;
  });
  const actor = await system.createActor({ name: 'one', script: replyScript, goals: ['reply'] });
  await system.startActor(actor.id);
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    while (index - replies >= 1_000) await new Promise((resolve) => setImmediate(resolve));
    await system.sendMessage(actor.id, 'hi');
  }
  while (replies < count) await new Promise((resolve) => setImmediate(resolve));
  const rate = count / ((performance.now() - start) / 1000);
  await system.shutdown();
  return rate;
}

/**
 * The cost of observing: end-to-end messages per second of one actor with no hooks, with the
 * OpenTelemetry hooks (SDK tracer, batch processor, discarding exporter), the Prometheus hooks
 * and the inspector's recorder; the median of `rounds` runs each, rounds interleaved, after a
 * warm-up round of each.
 */
export async function benchObservability(count = 20_000, rounds = 5) {
  const rates: Record<string, number[]> = Object.fromEntries(
    Object.keys(SETUPS).map((name) => [name, []]),
  );
  // A warm-up round of each, so the JIT has compiled every hook before anything is timed.
  for (const setup of Object.values(SETUPS)) await throughput(setup, count);
  for (let round = 0; round < rounds; round++) {
    for (const [name, setup] of Object.entries(SETUPS)) {
      rates[name]!.push(await throughput(setup, count));
    }
  }
  const baseline = median(rates.none!);
  return {
    messages: count,
    rounds,
    ...Object.fromEntries(
      Object.entries(rates).map(([name, values]) => [
        name,
        {
          messagesPerSecond: Math.round(median(values)),
          ratioToNoHooks: round(median(values) / baseline, 2),
        },
      ]),
    ),
  };
}
