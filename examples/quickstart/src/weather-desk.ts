import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type BusMessage,
  makeOrchestrator,
  type Talent,
} from '@promethean-os/pantheon-core';
import { ScriptedOfflineModel } from './scripted-offline-model';
import { findCity, WeatherTool } from './weather-tool';

const weatherDesk: Talent = {
  name: 'weather-desk',
  behaviors: [
    {
      // Active: runs when a message arrives.
      name: 'answer-question',
      mode: 'active',
      async plan({ context, llm, tools, signal }) {
        const question = context.at(-1)?.content ?? '';
        const city = findCity(question);
        const forecast = city
          ? await tools.invoke('get-weather', { location: city }, { signal })
          : undefined;
        const reply = await llm.complete(
          forecast ? [...context, { role: 'system', content: `Forecast: ${forecast}` }] : context,
          { signal },
        );
        return { actions: [{ type: 'message', content: reply.content, target: 'user' }] };
      },
    },
    {
      // Passive: runs on loop ticks without input.
      name: 'watch-oslo',
      mode: 'passive',
      plan: () => ({
        actions: [
          { type: 'tool', name: 'get-weather', args: { location: 'Oslo' }, timeout: 1_000 },
          { type: 'context', operation: 'write', target: 'last-check', data: { city: 'Oslo' } },
          {
            type: 'message',
            content: 'Checked the Oslo forecast.',
            target: 'ops',
            priority: 'low',
          },
        ],
      }),
    },
  ],
};

const script: ActorScript = {
  name: 'weather-desk',
  description: 'Answers weather questions and watches the Oslo forecast',
  talents: [weatherDesk],
  contextSources: [
    { type: 'text', content: 'Answer in one short sentence.', metadata: { category: 'style' } },
  ],
};

/** What the demo did, for printing and for its test. */
export interface QuickstartReport {
  sent: BusMessage[];
  loopTicks: number;
  historySize: number;
  lastCheck: unknown;
}

/** Runs the demo: one question answered, then a few passive loop ticks. */
export async function runQuickstart(
  options: { loopMs?: number; log?: (line: string) => void } = {},
) {
  const { loopMs = 100, log = () => {} } = options;
  const sent: BusMessage[] = [];
  const bus = new InMemoryMessageBus();
  bus.subscribe((message) => {
    sent.push(message);
    log(`${message.from} → ${message.to}: ${message.content}`);
  });
  const context = new InMemoryContextAdapter();
  const tools = new InMemoryToolAdapter();
  tools.register(new WeatherTool());
  const scheduler = new NodeScheduler();
  const state = new InMemoryActorStateAdapter();
  const orchestrator = makeOrchestrator({
    now: Date.now,
    log: (message, meta) => log(`[log] ${message} ${meta ? JSON.stringify(meta) : ''}`),
    context,
    tools,
    llm: new ScriptedOfflineModel(),
    bus,
    schedule: scheduler,
    state,
  });

  const actor = await state.spawn(script, 'Answer weather questions', { id: 'weather-desk-1' });
  const answer = await orchestrator.tickActor(actor, {
    userMessage: 'What is the weather in Lima?',
  });
  log(
    `tick: ${answer.state}, ${answer.actions.length} action(s), ${answer.errors.length} error(s)`,
  );

  const loopTicks = () => sent.filter((message) => message.to === 'ops').length;
  const pause = () => new Promise((resolve) => setTimeout(resolve, loopMs));
  const stop = orchestrator.startActorLoop(actor, loopMs);
  while (loopTicks() < 3) await pause();
  stop();
  await pause(); // lets a tick that was already running finish
  scheduler.stopAll();

  const report: QuickstartReport = {
    sent,
    loopTicks: loopTicks(),
    historySize: context.getHistory(actor.id).length,
    lastCheck: await context.read('last-check', { actorId: actor.id }),
  };
  log(`loop ticks: ${report.loopTicks}, history entries: ${report.historySize}`);
  return report;
}
