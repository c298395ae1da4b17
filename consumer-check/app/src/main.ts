// A small app built the way a user builds on Pantheon: a durable actor (SQLite) that answers
// through an OpenAI-compatible model with a tool, logged through winston and measured with
// prom-client; then a Claude call. The "model servers" are local recording servers from
// pantheon-test, so it runs offline. Every step asserts what it did and prints one line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { createOtelHooks, traceMetadata } from '@promethean-os/pantheon-adapters/otel';
import { createPrometheusHooks } from '@promethean-os/pantheon-adapters/prometheus';
import { createWinstonLog } from '@promethean-os/pantheon-adapters/winston';
import {
  type ActorScript,
  combineHooks,
  type LlmPort,
  llmBehavior,
  PantheonSystem,
  type ReplyStreamEvent,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { createInspectorRecorder, serveInspector } from '@promethean-os/pantheon-inspector';
import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import { openSqlitePersistence, ScriptRegistry } from '@promethean-os/pantheon-persistence';
import { createRecordingServer } from '@promethean-os/pantheon-test';
import { Registry } from 'prom-client';
import { createLogger, transports } from 'winston';

const ok = (line: string) => console.log(`  ok  ${line}`);

const weatherTool: ToolSpec<{ city: string }> = {
  name: 'get-weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  execute: async ({ city }) => `${city}: 19°C, overcast`,
};

const script: ActorScript = {
  name: 'weather-desk',
  version: '1',
  talents: [
    {
      name: 'answer',
      behaviors: [
        llmBehavior({ name: 'answer', system: 'Answer briefly.', tools: ['get-weather'] }),
      ],
    },
  ],
  contextSources: [{ type: 'text', content: 'Use the get-weather tool for forecasts.' }],
};

function chatCompletion(message: Record<string, unknown>, finishReason: string) {
  return {
    id: 'chatcmpl-consumer',
    object: 'chat.completion',
    created: 1_767_225_600,
    model: 'gpt-test',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, ...message },
        finish_reason: finishReason,
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

const openAiServer = await createRecordingServer();
const claudeServer = await createRecordingServer();
const dbDir = mkdtempSync(join(tmpdir(), 'pantheon-consumer-db-'));
try {
  // 1. A durable PantheonSystem on SQLite answers a question with a tool call and the model.
  openAiServer.reply(
    {
      json: chatCompletion(
        {
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get-weather', arguments: '{"city":"Lima"}' },
            },
          ],
        },
        'tool_calls',
      ),
    },
    { json: chatCompletion({ content: 'Lima: 19°C and overcast.' }, 'stop') },
  );
  const logged: string[] = [];
  const logger = createLogger({
    transports: [
      new transports.Stream({
        stream: new Writable({
          write(chunk, _encoding, done) {
            logged.push(String(chunk));
            done();
          },
        }),
      }),
    ],
  });
  const registry = new Registry();
  const scripts = new ScriptRegistry().register(script);
  const file = join(dbDir, 'pantheon.db');
  const db = await openSqlitePersistence({ file, scripts });
  const tools = new InMemoryToolAdapter();
  tools.register(weatherTool);
  const prometheus = createPrometheusHooks({ registry });
  // Without an OpenTelemetry SDK the global providers do nothing: the hooks cost little.
  const otel = createOtelHooks();
  const recorder = createInspectorRecorder();
  const pantheon = new PantheonSystem({
    actorStateAdapter: db.actors,
    contextAdapter: db.context,
    store: db.mailbox,
    toolAdapter: tools,
    llmAdapter: new OpenAiAdapter({
      apiKey: 'sk-test',
      baseURL: `${openAiServer.url}/v1`,
      maxRetries: 0,
    }),
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    log: createWinstonLog(logger),
    hooks: combineHooks(prometheus, otel, recorder.hooks),
  });
  prometheus.observe(pantheon);
  otel.observe(pantheon);
  await pantheon.createActor({
    id: 'desk-1',
    name: 'desk',
    script,
    goals: ['Answer weather questions'],
  });
  await pantheon.startActor('desk-1');
  const reply = await pantheon.ask('desk-1', 'Weather in Lima?', {
    timeoutMs: 10_000,
    metadata: traceMetadata(),
  });
  assert.equal(reply.content, 'Lima: 19°C and overcast.');
  assert.equal(openAiServer.requests.length, 2, 'two model calls: tool call, then the answer');
  assert.equal(openAiServer.requests[0]?.json.tools[0].function.name, 'get-weather');
  ok(`PantheonSystem + SQLite + OpenAiAdapter + tool: "${reply.content}"`);

  const ticks = await registry.getSingleMetricAsString('pantheon_actor_ticks_total');
  assert.match(ticks, /pantheon_actor_ticks_total\{actor_name="desk",status="success"\} 1/);
  ok('prom-client hooks counted the tick');
  // Once the tick that answered committed, its message left the mailbox.
  await pantheon.whenIdle();
  const depth = await registry.getSingleMetricAsString('pantheon_mailbox_depth');
  assert.match(depth, /pantheon_mailbox_depth 0/);
  ok('runtime metrics read the mailboxes');

  const inspector = await serveInspector(pantheon, { port: 0, recorder });
  try {
    const actors = (await (await fetch(`${inspector.url}api/actors`)).json()) as {
      id: string;
      mailboxDepth: number;
    }[];
    assert.deepEqual(
      actors.map(({ id, mailboxDepth }) => ({ id, mailboxDepth })),
      [{ id: 'desk-1', mailboxDepth: 0 }],
    );
    const timeline = (await (await fetch(`${inspector.url}api/actors/desk-1/timeline`)).json()) as {
      ticks: { span: { name: string } }[];
    };
    assert.equal(timeline.ticks[0]?.span.name, 'invoke_agent desk');
    ok(`inspector at ${inspector.url} lists the actor and its tick`);
  } finally {
    await inspector.close();
  }

  createWinstonLog(logger)('connecting', { apiKey: 'sk-secret-123456789' });
  const entry = logged.find((line) => line.includes('connecting'));
  assert.ok(entry, 'the log entry reached winston');
  assert.ok(!entry.includes('sk-secret'), `the API key was not redacted: ${entry}`);
  ok('winston log redacts secrets');

  await pantheon.shutdown();
  await db.close();
  const reopened = await openSqlitePersistence({ file, scripts });
  const stored = await reopened.actors.get('desk-1');
  assert.equal(stored?.name, 'desk');
  assert.equal(stored?.script, script, 'the registered script is attached on load');
  await reopened.close();
  ok('the actor survives closing and reopening the SQLite file');

  // 2. A tool that needs approval, and the reply streamed to the caller.
  const refunds: number[] = [];
  const refundTools = new InMemoryToolAdapter();
  refundTools.register({
    name: 'refund',
    description: 'Refunds an amount',
    parameters: { type: 'object', properties: { amount: { type: 'number' } } },
    needsApproval: ({ amount }: { amount: number }) => amount > 100,
    execute: ({ amount }: { amount: number }) => {
      refunds.push(amount);
      return `refunded ${amount}`;
    },
  });
  const refundModel: LlmPort = {
    async complete(messages) {
      const last = messages.at(-1);
      return last?.role === 'tool'
        ? { role: 'assistant', content: `Done: ${last.content}` }
        : {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call-1', name: 'refund', args: { amount: 250 } }],
          };
    },
  };
  const desk = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter(),
    toolAdapter: refundTools,
    llmAdapter: refundModel,
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    actorStateAdapter: new InMemoryActorStateAdapter(),
    log: () => {},
  });
  const refundScript: ActorScript = {
    name: 'refund-desk',
    talents: [{ name: 'refunds', behaviors: [llmBehavior({ name: 'desk', tools: ['refund'] })] }],
    contextSources: [],
  };
  await desk.createActor({
    id: 'refunds',
    name: 'refunds',
    script: refundScript,
    goals: ['Refund'],
  });
  await desk.startActor('refunds');
  const seen: ReplyStreamEvent['type'][] = [];
  for await (const event of desk.stream('refunds', 'Refund 250 please')) {
    seen.push(event.type);
    if (event.type === 'approval-requested') {
      assert.deepEqual(refunds, [], 'nothing runs before the approval');
      await desk.approve(event.approval.id, { by: 'ops' });
    }
  }
  assert.deepEqual(seen, ['tool-call', 'approval-requested', 'tool-result', 'message']);
  assert.deepEqual(refunds, [250]);
  await desk.shutdown();
  ok('a refund waits for approval, runs once approved, and the reply streams');

  // 3. ClaudeAdapter maps a conversation to the Messages API and back.
  claudeServer.reply({
    json: {
      id: 'msg_consumer',
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [{ type: 'text', text: 'Hello from Claude.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 8, output_tokens: 4 },
    },
  });
  const claude = new ClaudeAdapter({
    apiKey: 'sk-ant-test',
    baseURL: claudeServer.url,
    maxRetries: 0,
  });
  const answer = await claude.complete([
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ]);
  assert.equal(answer.content, 'Hello from Claude.');
  assert.equal(claudeServer.requests[0]?.path, '/v1/messages');
  assert.equal(claudeServer.requests[0]?.json.system, 'Be brief.');
  ok(`ClaudeAdapter: "${answer.content}"`);
} finally {
  await openAiServer.close();
  await claudeServer.close();
  rmSync(dbDir, { recursive: true, force: true });
}
console.log(`consumer program passed on Node ${process.version}`);
