/**
 * A process running a durable `PantheonSystem` with a tool that needs approval, for
 * `approval-restart.test.ts` (started with `--import tsx`). Usage:
 *   approval-child.test-support.ts ask <backend> <database> <runs-log>
 *     Starts actor `desk`, asks it for a refund of 250, prints `pending <approval id>` once the
 *     refund waits for approval, and then waits to be killed.
 *   approval-child.test-support.ts approve <backend> <database> <runs-log> <approval id>
 *     Starts `desk`, approves the id, prints `reply <content>` when the answer reaches the user,
 *     shuts down and exits 0.
 * `<backend> <database>` is `sqlite <file>` or `postgres <url>|<schema>`. Every run of the refund
 * tool appends a line to the runs log.
 */
import { appendFileSync } from 'node:fs';
import {
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  defineTool,
  type LlmPort,
  llmBehavior,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { openPostgresPersistence, openSqlitePersistence, type Persistence } from './persistence';
import { ScriptRegistry } from './script-registry';

/** The desk's script; the test registers it too, to read the stored actor. */
export const deskScript: ActorScript = {
  name: 'approval-desk',
  talents: [{ name: 'refunds', behaviors: [llmBehavior({ name: 'desk', tools: ['refund'] })] }],
  contextSources: [{ type: 'text', content: 'Refund what customers ask for.' }],
};

/** Calls `refund` for the amount in the user's message; answers with the tool's result. */
const model: LlmPort = {
  async complete(messages) {
    const last = messages.at(-1)!;
    if (last.role === 'tool') return { role: 'assistant', content: `Done: ${last.content}` };
    const amount = Number(/(\d+)/.exec(last.content)?.[1] ?? 0);
    return {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call-refund', name: 'refund', args: { amount } }],
    };
  },
};

async function open(backend: string, database: string): Promise<Persistence> {
  const scripts = new ScriptRegistry().register(deskScript);
  if (backend === 'sqlite') return openSqlitePersistence({ file: database, scripts });
  const [connectionString, schema] = database.split('|') as [string, string];
  return openPostgresPersistence({ connectionString, schema, scripts });
}

async function main(): Promise<void> {
  const [mode, backend, database, runsLog, approvalId] = process.argv.slice(2) as string[];
  const db = await open(backend!, database!);
  const tools = new InMemoryToolAdapter();
  tools.register(
    defineTool<{ amount: number }>({
      name: 'refund',
      description: 'Refunds an amount to the customer',
      parameters: {
        type: 'object',
        properties: { amount: { type: 'number' } },
        required: ['amount'],
      },
      needsApproval: ({ amount }) => amount > 100,
      execute({ amount }, context) {
        appendFileSync(runsLog!, `${amount} ${context?.approval?.by ?? 'unapproved'}\n`);
        return { refunded: amount };
      },
    }),
  );
  const bus = new InMemoryMessageBus();
  const pantheon = new PantheonSystem({
    contextAdapter: db.context,
    toolAdapter: tools,
    llmAdapter: model,
    messageBus: bus,
    scheduler: new NodeScheduler(),
    actorStateAdapter: db.actors,
    store: db.mailbox,
    log: () => {},
  });
  await pantheon.createActor({
    id: 'desk',
    name: 'desk',
    script: deskScript,
    goals: ['Refund'],
    ifExists: 'reuse',
  });
  if (mode === 'ask') {
    pantheon.on('approval.requested', ({ approval }) => {
      process.stdout.write(`pending ${approval.id}\n`);
    });
    await pantheon.startActor('desk');
    await pantheon.sendMessage('desk', 'Please refund 250', { conversationId: 'c-refund' });
    // Waits for SIGKILL.
    setInterval(() => {}, 1_000);
    return;
  }
  const answered = new Promise<string>((resolve) =>
    bus.subscribe((message) => {
      if (message.to === 'user') resolve(message.content);
    }),
  );
  await pantheon.startActor('desk');
  await pantheon.approve(approvalId!, { by: 'operator' });
  process.stdout.write(`reply ${await answered}\n`);
  await pantheon.whenIdle();
  await pantheon.shutdown();
  await db.close();
}

if (process.argv[1]?.endsWith('approval-child.test-support.ts')) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
