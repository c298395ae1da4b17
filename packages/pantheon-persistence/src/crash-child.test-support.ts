/**
 * A process running a durable `PantheonSystem` for the crash tests (started by
 * `crash-safety.test.ts` with `--import tsx`). Usage:
 *   crash-child.test-support.ts sqlite <file> <published-log> [pairs]
 *   crash-child.test-support.ts postgres <connection-url> <schema> <published-log> [pairs]
 * Actor `a` counts each message in its key/value store, answers `'user'` and forwards it to
 * actor `b`, which counts it, calls the `once` tool `charge` and answers `'user'`. With `pairs`
 * (for group commit: many actors committing at once), actors `a-<n>` forward to `b-<n>`, n from
 * 0 to pairs - 1. Every published message id is appended to the log, every charge's idempotency
 * key to `<log>.charges` (the external effect). The process exits 0 once no message is pending
 * or unpublished.
 */
import { appendFileSync } from 'node:fs';
import {
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type Behavior,
  type LlmPort,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { openPostgresPersistence, openSqlitePersistence, type Persistence } from './persistence';
import { ScriptRegistry } from './script-registry';

/** The actor `a` (or `a-<n>`) forwards to: `b` (or `b-<n>`). */
export function partner(id: string): string {
  return `b${id.slice(1)}`;
}

/** The actor ids of a run with `pairs` pairs: `a`, `b` for none, else `a-<n>`, `b-<n>`. */
export function pairIds(pairs: number | undefined): { senders: string[]; receivers: string[] } {
  const senders =
    pairs === undefined ? ['a'] : Array.from({ length: pairs }, (_, index) => `a-${index}`);
  return { senders, receivers: senders.map(partner) };
}

/** The two scripts; the test registers data-only twins of the same names. */
export function crashScripts(db: () => Persistence): ScriptRegistry {
  const counting = (forward: boolean): Behavior => ({
    name: 'count',
    mode: 'active',
    async plan({ actor, context }) {
      const input = context.at(-1)?.content ?? '';
      const count = ((await db().context.read('count', { actorId: actor.id })) as number) ?? 0;
      const actions: Awaited<ReturnType<Behavior['plan']>>['actions'] = [
        { type: 'context', operation: 'write', target: 'count', data: count + 1 },
        { type: 'message', content: `${actor.id} saw ${input}`, target: 'user' },
      ];
      if (forward) actions.push({ type: 'message', content: input, target: partner(actor.id) });
      else actions.push({ type: 'tool', name: 'charge', args: {} });
      return { actions };
    },
  });
  const script = (name: string, behavior: Behavior): ActorScript => ({
    name,
    talents: [{ name: 'counting', behaviors: [behavior] }],
    contextSources: [{ type: 'text', content: 'Count every message.' }],
  });
  return new ScriptRegistry()
    .register(script('crash-a', counting(true)))
    .register(script('crash-b', counting(false)));
}

async function main(): Promise<void> {
  const [backend, ...args] = process.argv.slice(2);
  let db: Persistence | undefined;
  const scripts = crashScripts(() => db!);
  let log: string;
  let pairs: string | undefined;
  if (backend === 'sqlite') {
    db = await openSqlitePersistence({ file: args[0]!, scripts });
    log = args[1]!;
    pairs = args[2];
  } else {
    // The server is not the one crashing here, so its WAL flush can be skipped to save time.
    db = await openPostgresPersistence({
      connectionString: args[0]!,
      schema: args[1]!,
      scripts,
      synchronousCommit: false,
    });
    log = args[2]!;
    pairs = args[3];
  }
  const bus = new InMemoryMessageBus();
  bus.subscribe((message) => {
    if (message.to === 'user') appendFileSync(log, `${message.id}\n`);
  });
  const llm: LlmPort = { complete: async () => ({ role: 'assistant', content: 'ok' }) };
  const scheduler = new NodeScheduler();
  const tools = new InMemoryToolAdapter();
  tools.register({
    name: 'charge',
    description: 'Charges once per message',
    parameters: { type: 'object', properties: {} },
    once: true,
    execute: (_args, context) => {
      appendFileSync(`${log}.charges`, `${context?.idempotencyKey}\n`);
      return { charged: context?.idempotencyKey };
    },
  });
  const pantheon = new PantheonSystem({
    contextAdapter: db.context,
    toolAdapter: tools,
    llmAdapter: llm,
    messageBus: bus,
    scheduler,
    actorStateAdapter: db.actors,
    store: db.mailbox,
    supervision: { maxFailures: 1_000, backoffMs: 10 },
    limits: { maxConcurrentTicks: 256 },
  });
  // The senders start first: messages to 'b' wait in its stored mailbox until it starts.
  const { senders, receivers } = pairIds(pairs === undefined ? undefined : Number(pairs));
  for (const id of senders) await pantheon.startActor(id);
  for (const id of receivers) await pantheon.startActor(id);
  for (;;) {
    await pantheon.whenIdle();
    const stats = await db.mailbox.stats();
    if (stats.pending === 0 && stats.unpublished === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await pantheon.shutdown();
  await db.close();
  process.stdout.write('done\n');
}

if (process.argv[1]?.endsWith('crash-child.test-support.ts')) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
