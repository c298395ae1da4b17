import { describe, expect, it, vi } from 'vitest';
import {
  echoLlm,
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { Behavior, ToolExecutionContext, ToolSpec } from '../types';
import { FakeMailboxStore } from './fake-mailbox-store.test-support';
import { PantheonSystem } from './pantheon-system';

/** A payment tool that records every charge it makes and the key it was given. */
function paymentTool(once: boolean) {
  const charges: Array<string | undefined> = [];
  const tool: ToolSpec = {
    name: 'charge',
    description: 'Charges a card',
    parameters: { type: 'object', properties: { cents: { type: 'number' } } },
    once,
    execute: (args: { cents: number }, context?: ToolExecutionContext) => {
      charges.push(context?.idempotencyKey);
      return { charged: args.cents, receipt: `r-${charges.length}` };
    },
  };
  return { tool, charges };
}

/** Charges through a `tool` action, then through the behavior's own call, then answers. */
const pay: Behavior = {
  name: 'pay',
  mode: 'active',
  async plan({ tools }) {
    const receipt = (await tools.invoke('charge', { cents: 5 })) as { receipt: string };
    return {
      actions: [
        { type: 'tool', name: 'charge', args: { cents: 100 } },
        { type: 'message', content: `paid ${receipt.receipt}` },
      ],
    };
  },
};

/** A state port whose first tick's final update fails: the tick ran its actions, then fails. */
function failingFinalUpdate(state: ActorStatePort): ActorStatePort {
  let ticking = false;
  let failed = false;
  return {
    ...state,
    spawn: state.spawn.bind(state),
    list: state.list.bind(state),
    get: state.get.bind(state),
    update: (id, patch) => {
      if (patch.state === 'running') ticking = true;
      if (patch.state === 'idle' && ticking && !failed) {
        failed = true;
        return Promise.reject(new Error('database hiccup'));
      }
      return state.update(id, patch);
    },
  };
}

describe('tool idempotency keys and once tools', () => {
  it('gives every tool call of a tick a key stable per message: <message id>:tool:<n>', async () => {
    const { tool, charges } = paymentTool(false);
    const pantheon = new PantheonSystem({
      contextAdapter: fakeContext(),
      toolAdapter: fakeTools([tool]),
      llmAdapter: echoLlm,
      messageBus: fakeBus(),
      scheduler: fakeScheduler(),
      actorStateAdapter: fakeState(),
      log: () => {},
    });
    const actor = await pantheon.createActor({
      name: 'p',
      script: scriptWith([pay]),
      goals: ['x'],
    });
    await pantheon.startActor(actor.id);
    const id = await pantheon.sendMessage(actor.id, 'pay');
    await pantheon.whenIdle();
    expect(charges).toEqual([`${id}:tool:0`, `${id}:tool:1`]);
  });

  it('without a store, a tick run again after failing skips once tools but repeats the others', async () => {
    for (const once of [true, false]) {
      const { tool, charges } = paymentTool(once);
      const bus = fakeBus();
      const pantheon = new PantheonSystem({
        contextAdapter: fakeContext(),
        toolAdapter: fakeTools([tool]),
        llmAdapter: echoLlm,
        messageBus: bus,
        scheduler: fakeScheduler(),
        actorStateAdapter: failingFinalUpdate(fakeState()),
        supervision: { backoffMs: 1 },
        log: () => {},
      });
      const actor = await pantheon.createActor({
        name: 'p',
        script: scriptWith([pay]),
        goals: ['x'],
      });
      await pantheon.startActor(actor.id);
      const id = await pantheon.sendMessage(actor.id, 'pay');
      await pantheon.whenIdle();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await pantheon.whenIdle();
      // The reply went out once either way; the charges depend on `once`.
      expect(bus.sent.map((message) => message.content)).toEqual(['paid r-1']);
      expect(charges).toEqual(
        once
          ? [`${id}:tool:0`, `${id}:tool:1`]
          : [`${id}:tool:0`, `${id}:tool:1`, `${id}:tool:0`, `${id}:tool:1`],
      );
    }
  });

  it('with a store, a once tool is not run again by the tick the next process replays', async () => {
    const store = new FakeMailboxStore();
    const { tool, charges } = paymentTool(true);
    const boot = () => {
      const bus = fakeBus();
      const pantheon = new PantheonSystem({
        contextAdapter: store.context,
        toolAdapter: fakeTools([tool]),
        llmAdapter: echoLlm,
        messageBus: bus,
        scheduler: fakeScheduler(),
        actorStateAdapter: store.state,
        store,
        supervision: { backoffMs: 60_000 },
        log: () => {},
      });
      return { pantheon, bus };
    };
    const first = boot();
    await first.pantheon.createActor({
      id: 'payer',
      name: 'payer',
      script: scriptWith([pay]),
      goals: ['x'],
    });
    await first.pantheon.startActor('payer');
    // The process dies between the tools' effects and the commit: nothing of the tick is stored.
    store.failCommits = 1;
    const id = await first.pantheon.sendMessage('payer', 'pay');
    await vi.waitFor(() => expect(store.failCommits).toBe(0));
    expect(charges).toHaveLength(2);
    expect(first.bus.sent).toEqual([]);
    await first.pantheon.shutdown({ drain: false });

    const second = boot();
    await second.pantheon.startActor('payer');
    await second.pantheon.whenIdle();
    expect(charges).toEqual([`${id}:tool:0`, `${id}:tool:1`]);
    expect(store.toolEffects.get(`${id}:tool:1`)).toEqual({ charged: 100, receipt: 'r-2' });
    expect(second.bus.sent.map((message) => message.content)).toEqual(['paid r-1']);
  });
});
