import {
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { type BusMessage, type LlmPort, PantheonSystem } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CuttableProxy, dropSchema, quietScript, testSchema } from './backends.test-support';
import { crashScripts } from './crash-child.test-support';
import { openPostgresPersistence, type Persistence } from './persistence';

const MESSAGES = 60;
const schema = testSchema();
const proxy = new CuttableProxy({ host: '127.0.0.1', port: 5432 });

afterAll(async () => {
  await proxy.close();
  await dropSchema(schema);
});

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // The database may still be unreachable.
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('PostgreSQL connection loss (through a TCP proxy)', () => {
  it('fails ticks with typed errors while the database is unreachable, loses nothing and resumes by itself', async () => {
    const port = await proxy.listen();
    let db: Persistence | undefined;
    const scripts = crashScripts(() => db!);
    db = await openPostgresPersistence({
      connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
      schema,
      scripts,
      connectionTimeoutMs: 500,
    });
    await db.actors.spawn(quietScript('crash-a'), 'count', { id: 'a' });
    await db.actors.spawn(quietScript('crash-b'), 'count', { id: 'b' });
    const bus = new InMemoryMessageBus();
    const published: BusMessage[] = [];
    bus.subscribe((message) => {
      if (message.to === 'user') published.push(message);
    });
    const llm: LlmPort = { complete: async () => ({ role: 'assistant', content: 'ok' }) };
    // The crash scripts' receiver calls the `once` tool `charge`.
    const tools = new InMemoryToolAdapter();
    tools.register({
      name: 'charge',
      description: 'Charges once per message',
      parameters: { type: 'object', properties: {} },
      once: true,
      execute: (_args, context) => ({ charged: context?.idempotencyKey }),
    });
    const pantheon = new PantheonSystem({
      contextAdapter: db.context,
      toolAdapter: tools,
      llmAdapter: llm,
      messageBus: bus,
      scheduler: new NodeScheduler(),
      actorStateAdapter: db.actors,
      store: db.mailbox,
      // Supervision's default maxFailures (5 in 10 s): an outage is not counted against it.
      supervision: { backoffMs: 20, maxBackoffMs: 100 },
    });
    const failures: string[] = [];
    const stopped: string[] = [];
    pantheon.on('actor.restarted', ({ error }) => failures.push(error.code));
    pantheon.on('actor.failed', ({ actorId }) => stopped.push(actorId));
    await pantheon.startActor('b');
    await pantheon.startActor('a');
    for (let index = 0; index < MESSAGES; index++) {
      await pantheon.sendMessage('a', `msg ${index}`);
    }
    await until(async () => (await db.mailbox.stats()).acknowledged >= 20, 20_000);

    proxy.cut();
    // Every port reports the outage with its own typed error. (The read is of the global scope:
    // an actor's own scope may be served from the writes its tick in flight has buffered.)
    await expect(db.actors.list()).rejects.toMatchObject({
      name: 'ActorError',
      code: 'STATE_UNAVAILABLE',
    });
    await expect(db.context.read('count')).rejects.toMatchObject({
      name: 'ContextError',
      code: 'CONTEXT_UNAVAILABLE',
    });
    await expect(db.mailbox.pending()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(pantheon.sendMessage('a', 'during the outage')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    // Far past maxFailures before the database comes back.
    await until(async () => failures.length >= 12, 10_000);
    proxy.restore();

    // No restart, no intervention: the actors catch up once the pool reconnects.
    await until(async () => {
      const stats = await db.mailbox.stats();
      return stats.pending === 0 && stats.acknowledged === 2 * MESSAGES;
    }, 30_000);
    await pantheon.whenIdle();
    expect(stopped).toEqual([]);
    expect(new Set(failures)).not.toContain('ACTOR_ERROR');
    expect(
      failures.every((code) =>
        ['STATE_UNAVAILABLE', 'CONTEXT_UNAVAILABLE', 'STORE_UNAVAILABLE'].includes(code),
      ),
    ).toBe(true);
    expect(await db.context.read('count', { actorId: 'a' })).toBe(MESSAGES);
    expect(await db.context.read('count', { actorId: 'b' })).toBe(MESSAGES);
    const outbox = await db.driver.all<{ id: string }>('SELECT id FROM pantheon_outbox');
    expect(outbox).toHaveLength(2 * MESSAGES);
    // Every committed reply reached the bus (at least once, always under the same id).
    expect(new Set(published.map((message) => message.id))).toEqual(
      new Set(outbox.map((row) => row.id)),
    );
    await pantheon.shutdown();
    await db.close();
  }, 60_000);
});
