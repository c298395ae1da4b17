import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  type ActorScript,
  ConfigError,
  defineTool,
  llmBehavior,
  PantheonError,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineApp } from '../app/define-app';
import { startApp } from '../app/start-app';
import {
  deleteStreams,
  dropSchema,
  freePort,
  NATS_URL,
  POSTGRES_URL,
  testSchema,
  testStream,
} from '../services.test-support';
import { createPantheon } from './create-pantheon';
import { OfflineEchoModel } from './offline-model';
import type { Pantheon } from './pantheon';

const dir = mkdtempSync(join(tmpdir(), 'pantheon-create-'));
const schemas: string[] = [];
const streams: string[] = [];
const quiet = () => {};

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema);
  await deleteStreams(streams);
});

const answering: ActorScript = {
  name: 'answering',
  talents: [{ name: 'talk', behaviors: [llmBehavior({ name: 'answer', tools: ['add'] })] }],
  contextSources: [{ type: 'text', content: 'Answer briefly.' }],
};

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

const app = defineApp({
  tools: [add],
  actors: [{ id: 'helper', script: answering, goals: ['Help'] }],
});

let running: Pantheon | undefined;
afterEach(async () => {
  await running?.shutdown({ drain: false });
  running = undefined;
});

describe('createPantheon', () => {
  it('is a running PantheonSystem on the defaults: memory, the offline model, and shuts down once', async () => {
    running = await createPantheon({}, { scripts: [answering], tools: [add], log: quiet });
    expect(running).toBeInstanceOf(PantheonSystem);
    expect(running.model).toBe(
      '[offline mock model]: echoes the last user message, no model is called',
    );
    expect(running.describeResources()).toEqual([]);
    expect(await running.checkReadiness()).toEqual({ ready: true, checks: [] });
    await running.createActor({ id: 'helper', name: 'helper', script: answering, goals: ['Help'] });
    await running.startActor('helper');
    const reply = await running.ask('helper', 'Anyone home?');
    expect(reply.content).toBe(`${OfflineEchoModel.label} You said: Anyone home?`);
    expect(await running.shutdown()).toEqual({ interrupted: [], pending: [], kept: [] });
    expect(await running.shutdown()).toEqual({ interrupted: [], pending: [], kept: [] });
    await expect(running.ask('helper', 'Still there?')).rejects.toMatchObject({
      code: 'SYSTEM_SHUT_DOWN',
    });
  });

  it('applies the configured limits and supervision', async () => {
    running = await createPantheon(
      { limits: { maxMessageBytes: 16 } },
      { scripts: [answering], tools: [add], log: quiet },
    );
    await running.createActor({ id: 'helper', name: 'helper', script: answering, goals: ['Help'] });
    await expect(running.sendMessage('helper', 'x'.repeat(17))).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    });
  });

  it('keeps actors and their mailboxes in a SQLite file across instances', async () => {
    const file = join(dir, 'nested', 'app.db');
    const config = { adapters: { persistence: { type: 'sqlite', file } } } as const;
    running = await startApp(config, app, { log: quiet });
    expect(running.describeResources()).toEqual([
      { name: 'persistence', description: `sqlite ${file}` },
    ]);
    expect((await running.ask('helper', 'first')).content).toContain('You said: first');
    await running.stopActor('helper');
    // Waits in the durable mailbox while the actor is stopped.
    await running.sendMessage('helper', 'while stopped');
    const report = await running.shutdown();
    expect(report.kept.map((message) => message.content)).toEqual(['while stopped']);

    running = await startApp(config, app, { log: quiet });
    expect((await running.listActors()).map((actor) => actor.id)).toEqual(['helper']);
    await running.whenIdle();
    const sent = await running.getActorMessages('helper');
    expect(sent.at(-1)?.content).toContain('You said: while stopped');
  });

  it('runs durably on PostgreSQL, and shutdown closes the pool', async () => {
    const schema = testSchema();
    schemas.push(schema);
    running = await startApp(
      { adapters: { persistence: { type: 'postgres', url: POSTGRES_URL, schema, poolSize: 2 } } },
      app,
      { log: quiet },
    );
    expect((await running.ask('helper', 'on postgres')).content).toContain('You said: on postgres');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT id FROM "${schema}".pantheon_actors`);
      expect(rows.map((row) => row.id)).toEqual(['helper']);
    } finally {
      await client.end();
    }
    const ready = await running.checkReadiness();
    expect(ready.ready).toBe(true);
    const pantheon = running;
    await pantheon.shutdown();
    running = undefined;
    const closed = await pantheon.checkReadiness();
    expect(closed.ready).toBe(false);
    expect(closed.checks[0]).toMatchObject({ name: 'persistence', ok: false });
  });

  it('sends the messages over NATS JetStream with PostgreSQL', async () => {
    const schema = testSchema();
    const stream = testStream();
    schemas.push(schema);
    streams.push(stream);
    running = await startApp(
      {
        adapters: {
          persistence: { type: 'postgres', url: POSTGRES_URL, schema },
          bus: { type: 'nats', url: NATS_URL, stream },
        },
      },
      app,
      { log: quiet },
    );
    expect((await running.ask('helper', 'over nats')).content).toContain('You said: over nats');
    expect(await running.checkReadiness()).toMatchObject({
      ready: true,
      checks: [
        { name: 'persistence', ok: true },
        { name: 'bus', ok: true, description: `nats ${NATS_URL} stream ${stream}` },
      ],
    });
    const connection = await connect({ servers: NATS_URL });
    try {
      // The answer went from the actor's outbox through the stream to the asker.
      const manager = await jetstreamManager(connection);
      const stored = await manager.streams.getMessage(stream, { seq: 1 });
      expect(stored?.subject).toBe(`${stream}.user`);
      expect(stored?.json<{ from: string; content: string }>()).toMatchObject({
        from: 'helper',
        content: `${OfflineEchoModel.label} You said: over nats`,
      });
    } finally {
      await connection.close();
    }
  });

  it('calls the configured OpenAI-compatible model with the key from the environment', async () => {
    const server: RecordingServer = await createRecordingServer();
    try {
      server.reply({
        json: {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1_763_980_800,
          model: 'local-model',
          choices: [
            { index: 0, message: { role: 'assistant', content: 'Hej!' }, finish_reason: 'stop' },
          ],
        },
      });
      running = await startApp(
        {
          adapters: { llm: { type: 'openai', model: 'local-model', baseURL: `${server.url}/v1` } },
        },
        app,
        { log: quiet, env: { OPENAI_API_KEY: 'sk-test-key-from-the-environment' } },
      );
      expect(running.model).toBe(`OpenAI model local-model at ${server.url}/v1`);
      expect((await running.ask('helper', 'Hello')).content).toBe('Hej!');
      expect(server.requests[0]?.headers.authorization).toBe(
        'Bearer sk-test-key-from-the-environment',
      );
      expect(server.requests[0]?.json.tools[0].function.name).toBe('add');
    } finally {
      await server.close();
    }
  });

  it('wires Elasticsearch context to a client of the node, which sends nothing before a compile', async () => {
    running = await createPantheon(
      {
        adapters: {
          context: { type: 'elasticsearch', node: 'http://127.0.0.1:9200', index: 'docs' },
        },
      },
      { log: quiet },
    );
    // No request is sent before a compile: the client connects lazily.
    expect(running.describeResources()).toEqual([
      { name: 'context', description: 'elasticsearch http://127.0.0.1:9200 index docs' },
    ]);
    expect(await running.checkReadiness()).toMatchObject({ ready: true });
    await running.shutdown();
  });

  it('uses the model or offline stand-in it is given', async () => {
    const scripted = {
      complete: async () => ({ role: 'assistant' as const, content: 'scripted' }),
    };
    running = await startApp({}, { ...app, offlineModel: scripted }, { log: quiet });
    expect(running.model).toBe("the app's offline model (no model is called)");
    expect((await running.ask('helper', 'hi')).content).toBe('scripted');
  });
});

describe('createPantheon opens nothing it cannot finish', () => {
  it('refuses an invalid configuration before opening anything', async () => {
    const file = join(dir, 'never-invalid.db');
    const error = await createPantheon(
      {
        adapters: { persistence: { type: 'sqlite', file }, bus: { type: 'nats', url: 'nats://' } },
      },
      { log: quiet },
    ).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as ConfigError).details?.issues).toEqual([
      expect.objectContaining({ field: 'adapters.bus.url', source: { kind: 'argument' } }),
    ]);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a provider without its API key, naming the variable, before opening the store', async () => {
    const file = join(dir, 'never-keyless.db');
    for (const [type, variable] of [
      ['openai', 'OPENAI_API_KEY'],
      ['claude', 'ANTHROPIC_API_KEY'],
    ] as const) {
      const error = await createPantheon(
        { adapters: { llm: { type }, persistence: { type: 'sqlite', file } } },
        { log: quiet, env: { [variable]: '  ' } },
      ).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: 'CONFIG_ERROR',
        details: { field: 'adapters.llm.type', variable },
        message: expect.stringContaining(`${variable} is not set`),
      });
    }
    expect(existsSync(file)).toBe(false);
  });

  it('is STORE_UNAVAILABLE when PostgreSQL does not answer, its password masked', async () => {
    const port = await freePort();
    const error = await createPantheon(
      {
        adapters: {
          persistence: {
            type: 'postgres',
            url: `postgres://app:s3cret-passw0rd@127.0.0.1:${port}/app`,
          },
        },
      },
      { log: quiet },
    ).catch((caught: unknown) => caught);
    expect(PantheonError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      details: { database: `postgres postgres://app:***@127.0.0.1:${port}/app` },
    });
    expect((error as Error).message).not.toContain('s3cret-passw0rd');
  });

  it('is BUS_UNAVAILABLE when NATS does not answer, and closes the store it opened', async () => {
    const port = await freePort();
    const file = join(dir, 'bus-down.db');
    const error = await createPantheon(
      {
        adapters: {
          persistence: { type: 'sqlite', file },
          bus: { type: 'nats', url: `nats://127.0.0.1:${port}` },
        },
      },
      { log: quiet },
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BUS_UNAVAILABLE', details: { field: 'adapters.bus' } });
    // The store was opened (migrated) and closed again: it opens cleanly once NATS is not needed.
    running = await createPantheon(
      { adapters: { persistence: { type: 'sqlite', file } } },
      { log: quiet },
    );
    expect((await running.checkReadiness()).ready).toBe(true);
  });
});
