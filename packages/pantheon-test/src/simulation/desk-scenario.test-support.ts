// A small help desk for the simulation tests: a front desk that answers, forwards work to a
// worker (which charges through a tool), spawns helpers and relays to them, and sometimes starts
// a ping-pong that only the hop limit ends or sends more than maxMessageBytes to the worker.
import type { ActorScript, Behavior, BehaviorPlan, ToolSpec } from '@promethean-os/pantheon-core';
import type { SimulatedInput, SimulationInputContext, SimulationOptions } from './types';

/** The limits the desk runs under: small, so that the simulation reaches them. */
export const DESK_LIMITS = { maxHops: 6, maxMessageBytes: 256, tickTimeoutMs: 5_000 } as const;

function script(
  name: string,
  plan: (input: string) => BehaviorPlan | Promise<BehaviorPlan>,
): ActorScript {
  const behavior: Behavior = {
    name,
    mode: 'active',
    plan: ({ context }) => plan(context.at(-1)?.content ?? ''),
  };
  return {
    name,
    version: '1',
    talents: [{ name, behaviors: [behavior] }],
    contextSources: [],
  };
}

/** A spawned helper: answers whoever wrote to it, through the model. */
export const helperScript: ActorScript = (() => {
  const behavior: Behavior = {
    name: 'helper',
    mode: 'active',
    async plan({ context, llm, signal }) {
      const reply = await llm.complete(context.slice(-1), { signal });
      return { actions: [{ type: 'message', content: `helper: ${reply.content}` }] };
    },
  };
  return {
    name: 'helper',
    version: '1',
    talents: [{ name: 'helper', behaviors: [behavior] }],
    contextSources: [],
  };
})();

/** The front desk. */
export const frontScript: ActorScript = (() => {
  const behavior: Behavior = {
    name: 'front',
    mode: 'active',
    async plan({ context, llm, signal }) {
      const input = context.at(-1)?.content ?? '';
      const [verb, argument] = input.split(' ');
      switch (verb) {
        case 'work':
          return {
            actions: [{ type: 'message', target: 'worker', content: `charge ${argument}` }],
          };
        case 'spawn':
          return { actions: [{ type: 'spawn', actor: helperScript, goal: 'Help the desk' }] };
        case 'relay':
          return { actions: [{ type: 'message', target: argument!, content: 'relayed question' }] };
        case 'bounce':
          return { actions: [{ type: 'message', target: 'worker', content: 'bounce' }] };
        case 'big':
          return {
            actions: [
              {
                type: 'message',
                target: 'worker',
                content: 'x'.repeat(DESK_LIMITS.maxMessageBytes + 1),
              },
            ],
          };
        default: {
          const reply = await llm.complete(context.slice(-1), { signal });
          return { actions: [{ type: 'message', content: reply.content }] };
        }
      }
    },
  };
  return {
    name: 'front',
    version: '1',
    talents: [{ name: 'front', behaviors: [behavior] }],
    contextSources: [],
  };
})();

/** The worker: charges through the `charge` tool, bounces back, or answers. */
export const workerScript: ActorScript = script('worker', (input) => {
  const [verb, argument] = input.split(' ');
  if (verb === 'charge') {
    return {
      actions: [
        { type: 'tool', name: 'charge', args: { order: argument ?? '?' } },
        { type: 'message', content: `charged ${argument}` },
      ],
    };
  }
  if (verb === 'bounce')
    return { actions: [{ type: 'message', target: 'front', content: 'bounce' }] };
  return { actions: [{ type: 'message', content: `worker saw ${input.length} characters` }] };
});

/** A payment tool: records each charge (its effect), so tests can count them; `once` by default. */
export function chargeTool(charges: string[], once = true): ToolSpec {
  return {
    name: 'charge',
    once,
    description: 'Charges an order',
    parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
    execute(args: { order: string }) {
      charges.push(args.order);
      return { charged: args.order };
    },
  };
}

/** What users of the desk send. */
export function deskMessages({ random, index, spawned }: SimulationInputContext): SimulatedInput {
  const roll = random.next();
  if (roll < 0.3) return { to: 'front', content: `ask ${index}` };
  if (roll < 0.5) return { to: 'front', content: `work ${index}` };
  if (roll < 0.6) return { to: 'front', content: 'spawn' };
  if (roll < 0.75 && spawned.length > 0)
    return { to: 'front', content: `relay ${random.pick(spawned)}` };
  if (roll < 0.82) return { to: 'front', content: 'bounce' };
  if (roll < 0.87) return { to: 'front', content: 'big' };
  return { to: 'worker', content: `charge ${index}` };
}

/** Creates the desk's two actors. */
export const deskSetup: SimulationOptions['setup'] = async ({ system }) => {
  await system.createActor({
    id: 'front',
    name: 'front',
    script: frontScript,
    goals: ['Help'],
    declaredActors: ['worker'],
  });
  await system.createActor({ id: 'worker', name: 'worker', script: workerScript, goals: ['Work'] });
};
