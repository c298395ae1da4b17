import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type LlmPort,
  type LogFunction,
  llmBehavior,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { type Persistence, ScriptRegistry } from '@promethean-os/pantheon-persistence';
import { lookupInvoices } from './invoices';

const script = (
  name: string,
  behavior: ReturnType<typeof llmBehavior>,
  policy: string,
): ActorScript => ({
  name,
  talents: [{ name, behaviors: [behavior] }],
  contextSources: [{ type: 'text', content: policy }],
});

/** Reads the customer's first message and hands the conversation to the right specialist. */
export const triageScript = script(
  'triage',
  llmBehavior({
    name: 'route',
    system: 'You are the front desk. Never answer yourself: hand the customer to a specialist.',
    handoffs: [
      { actor: 'billing', description: 'charges, refunds, invoices and payments' },
      { actor: 'tech', description: 'crashes, errors, sign-in and anything technical' },
    ],
  }),
  'Customers are greeted by name.',
);

/** Answers billing questions from the customer's invoices. */
export const billingScript = script(
  'billing',
  llmBehavior({
    name: 'answer',
    system: 'You are billing support. Look the customer up before answering.',
    tools: [lookupInvoices.name],
  }),
  'Refund duplicate charges at once; anything else over €100 needs a supervisor.',
);

/** Answers technical questions. */
export const techScript = script(
  'tech',
  llmBehavior({ name: 'answer', system: 'You are technical support.' }),
  'The current app version is 2.4.1.',
);

/** The three scripts, for a durable store's registry. */
export function deskScripts(): ScriptRegistry {
  return new ScriptRegistry().register(triageScript).register(billingScript).register(techScript);
}

/** What `openTriageDesk` runs on. */
export interface TriageDeskOptions {
  llm: LlmPort;
  /** Durable actors, history and mailboxes; in memory when absent. */
  persistence?: Persistence;
  log?: LogFunction;
}

/** Builds the desk's system; subscribe to its events, then `startTriageDesk`. */
export function createTriageDesk(options: TriageDeskOptions): PantheonSystem {
  const tools = new InMemoryToolAdapter();
  tools.register(lookupInvoices);
  const { persistence } = options;
  return new PantheonSystem({
    contextAdapter: persistence?.context ?? new InMemoryContextAdapter(),
    actorStateAdapter: persistence?.actors ?? new InMemoryActorStateAdapter(),
    store: persistence?.mailbox,
    toolAdapter: tools,
    llmAdapter: options.llm,
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    log: options.log,
  });
}

/**
 * Creates the desk's three actors and starts them. Idempotent (`ifExists: 'reuse'`), so a durable
 * desk runs the same setup on every start and goes on with what the last process left.
 */
export async function startTriageDesk(desk: PantheonSystem): Promise<void> {
  // Specialists first: triage's hand-off targets must exist when it is created.
  const actors = [
    { id: 'billing', script: billingScript, goal: 'Settle billing questions' },
    { id: 'tech', script: techScript, goal: 'Fix technical problems' },
    { id: 'triage', script: triageScript, goal: 'Send every customer to the right specialist' },
  ];
  for (const { id, script, goal } of actors) {
    await desk.createActor({ id, name: id, script, goals: [goal], ifExists: 'reuse' });
  }
  for (const { id } of actors) await desk.startActor(id);
}
