import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type Behavior,
  LlmError,
  type LlmPort,
  llmBehavior,
  type Message,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtelHooks, type OtelHooksOptions } from './create-otel-hooks';
import { parseTraceparent, traceMetadata } from './trace-context';

/** A reader that collects on demand. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** Model replies by the system prompt of the behavior asking: a scripted provider. */
function scriptedLlm(): LlmPort {
  return {
    async complete(messages: Message[]) {
      const system = messages[0]?.content;
      const last = messages.at(-1);
      if (system === 'flaky') {
        throw new LlmError('The provider is overloaded', undefined, {
          code: 'LLM_RATE_LIMIT',
          provider: 'openai',
        });
      }
      const metadata = {
        provider: 'openai',
        model: 'gpt-test-2026-01-01',
        id: `resp-${messages.length}`,
        usage: { inputTokens: 10 * messages.length, outputTokens: 3 },
      };
      if (system === 'billing' && last?.role !== 'tool') {
        return {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'call-lookup', name: 'lookup-invoice', args: { invoice: 'INV-7' } },
            { id: 'call-refund', name: 'refund', args: { invoice: 'INV-7' } },
          ],
          metadata: { ...metadata, finishReason: 'tool_calls' },
        };
      }
      const answer = system === 'billing' ? 'Invoice INV-7 is paid' : `Noted: ${last?.content}`;
      return {
        role: 'assistant',
        content: answer,
        metadata: { ...metadata, finishReason: 'stop' },
      };
    },
  };
}

const script = (name: string, behavior: Behavior): ActorScript => ({
  name,
  talents: [{ name: 'work', behaviors: [behavior] }],
  contextSources: [],
});

/** Triage forwards to billing, which uses tools and answers the notifier, which answers the user. */
async function setup(options: OtelHooksOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const otel = createOtelHooks({ tracerProvider, meterProvider, ...options });
  const tools = new InMemoryToolAdapter();
  tools.register({
    name: 'lookup-invoice',
    description: 'Finds an invoice',
    parameters: { type: 'object', properties: { invoice: { type: 'string' } } },
    execute: async (args: { invoice: string }) => ({ invoice: args.invoice, status: 'paid' }),
  });
  tools.register({
    name: 'refund',
    description: 'Refunds an invoice',
    parameters: { type: 'object', properties: { invoice: { type: 'string' } } },
    execute: async () => {
      throw new Error('payments API unreachable');
    },
  });
  const pantheon = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter(),
    toolAdapter: tools,
    llmAdapter: scriptedLlm(),
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    actorStateAdapter: new InMemoryActorStateAdapter(),
    hooks: otel,
    log: () => {},
    supervision: { backoffMs: 1 },
  });
  const stopObserving = otel.observe(pantheon);
  const forward: Behavior = {
    name: 'route',
    mode: 'active',
    plan: async ({ context: messages }) => {
      const content = messages.at(-1)?.content ?? '';
      // 'oversized' forwards more than maxMessageBytes: a dead letter.
      const forwarded = content === 'oversized' ? 'x'.repeat(70_000) : content;
      return { actions: [{ type: 'message', content: forwarded, target: 'billing' }] };
    },
  };
  const actors = [
    { id: 'triage', behavior: forward },
    {
      id: 'billing',
      behavior: llmBehavior({
        name: 'resolve',
        system: 'billing',
        model: 'gpt-test',
        tools: ['lookup-invoice', 'refund'],
        target: 'notifier',
      }),
    },
    {
      id: 'notifier',
      behavior: llmBehavior({ name: 'notify', system: 'notify', model: 'gpt-test' }),
    },
    { id: 'flaky', behavior: llmBehavior({ name: 'try', system: 'flaky', model: 'gpt-test' }) },
  ];
  for (const { id, behavior } of actors) {
    await pantheon.createActor({
      id,
      name: id,
      script: script(`${id}-script`, behavior),
      goals: [],
    });
    await pantheon.startActor(id);
  }
  const spans = () => exporter.getFinishedSpans();
  return { pantheon, spans, reader, tracerProvider, stopObserving };
}

const byName = (spans: ReadableSpan[], name: string) => {
  const found = spans.filter((span) => span.name === name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0] as ReadableSpan;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) =>
  spans
    .filter((span) => parentOf(span) === parent.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
    .map((span) => span.name);

let cleanup: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('createOtelHooks: traces', () => {
  it('makes one trace of a conversation across three actors, with GenAI spans under each tick', async () => {
    const { pantheon, spans, tracerProvider } = await setup();
    cleanup = () => pantheon.shutdown();
    const tracer = tracerProvider.getTracer('test');
    const root = tracer.startSpan('POST /support');
    const answer = await pantheon.ask('triage', 'Was INV-7 paid?', {
      metadata: traceMetadata(trace.setSpan(ROOT_CONTEXT, root)),
    });
    await pantheon.whenIdle();
    expect(answer.content).toBe('Noted: Invoice INV-7 is paid');
    expect(answer.metadata?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const all = spans();
    expect(new Set(all.map((span) => span.spanContext().traceId)).size).toBe(1);
    const triage = byName(all, 'invoke_agent triage');
    const billing = byName(all, 'invoke_agent billing');
    const notifier = byName(all, 'invoke_agent notifier');
    // The caller's context is the conversation's root: every tick continues its trace.
    expect(triage.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(parentOf(triage)).toBe(root.spanContext().spanId);
    expect(parentOf(billing)).toBe(triage.spanContext().spanId);
    expect(parentOf(notifier)).toBe(billing.spanContext().spanId);
    expect(answer.metadata?.traceparent).toContain(notifier.spanContext().spanId);

    expect(triage.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.id': 'triage',
      'gen_ai.agent.name': 'triage',
      'gen_ai.conversation.id': answer.conversationId,
      'messaging.operation.type': 'process',
      'pantheon.message.hops': 0,
      'pantheon.tick.state': 'idle',
    });
    expect(billing.attributes).toMatchObject({
      'pantheon.message.hops': 1,
      'pantheon.message.from': 'triage',
      'messaging.message.id': `${triage.attributes['messaging.message.id']}:0`,
    });

    // A receiving tick is a child of the tick that sent its message, beside the send span.
    expect(childrenOf(all, triage)).toEqual(['behavior route', 'invoke_agent billing']);
    expect(childrenOf(all, byName(all, 'behavior route'))).toEqual(['send billing']);
    expect(byName(all, 'send billing').kind).toBe(SpanKind.PRODUCER);
    expect(byName(all, 'send billing').attributes).toMatchObject({
      'messaging.system': 'pantheon',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'billing',
    });

    const resolve = byName(all, 'behavior resolve');
    expect(parentOf(resolve)).toBe(billing.spanContext().spanId);
    expect(childrenOf(all, resolve)).toEqual([
      'chat gpt-test',
      'execute_tool lookup-invoice',
      'execute_tool refund',
      'chat gpt-test',
      'send notifier',
    ]);
    const [firstChat, secondChat] = all.filter(
      (span) => span.name === 'chat gpt-test' && parentOf(span) === resolve.spanContext().spanId,
    );
    expect(firstChat?.kind).toBe(SpanKind.CLIENT);
    expect(firstChat?.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': 'gpt-test-2026-01-01',
      'gen_ai.response.id': 'resp-2',
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['tool_calls'],
    });
    expect(secondChat?.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);

    const lookup = byName(all, 'execute_tool lookup-invoice');
    expect(lookup.attributes).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup-invoice',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': 'call-lookup',
    });
    expect(lookup.status.code).toBe(SpanStatusCode.UNSET);
    const refund = byName(all, 'execute_tool refund');
    expect(refund.attributes).toMatchObject({
      'gen_ai.tool.call.id': 'call-refund',
      'error.type': 'TOOL_FAILED',
    });
    expect(refund.status).toMatchObject({ code: SpanStatusCode.ERROR });
    expect(refund.status.message).toContain('payments API unreachable');
    expect(refund.events.map((event) => event.name)).toEqual(['exception']);
    // The model recovered from the failing tool: the tick itself succeeded.
    expect(billing.status.code).toBe(SpanStatusCode.UNSET);

    // No content is recorded unless asked for.
    for (const span of all) {
      expect(
        Object.keys(span.attributes).filter((key) => /messages|arguments|result/.test(key)),
      ).toEqual([]);
    }
    root.end();
  });

  it('marks a failing model call and its tick with the error type and the provider', async () => {
    const { pantheon, spans } = await setup();
    cleanup = () => pantheon.shutdown();
    await expect(pantheon.ask('flaky', 'hello?')).rejects.toMatchObject({ code: 'ASK_FAILED' });
    await pantheon.whenIdle();
    const all = spans();
    const tick = all.find((span) => span.name === 'invoke_agent flaky') as ReadableSpan;
    const chat = byName(all, 'chat gpt-test');
    const behavior = byName(all, 'behavior try');
    expect(parentOf(chat)).toBe(behavior.spanContext().spanId);
    expect(parentOf(behavior)).toBe(tick.spanContext().spanId);
    expect(chat.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'error.type': 'LLM_RATE_LIMIT',
    });
    expect(chat.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'The provider is overloaded',
    });
    for (const span of [behavior, tick]) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe('LLM_RATE_LIMIT');
    }
    expect(tick.attributes['pantheon.tick.state']).toBe('failed');
    // Without a caller's trace context the tick is a root.
    expect(parentOf(tick)).toBeUndefined();
  });

  it('records prompts, completions and tool payloads only when asked, with secrets redacted', async () => {
    const { pantheon, spans } = await setup({ captureContent: true });
    cleanup = () => pantheon.shutdown();
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
    await pantheon.ask('billing', `Was INV-7 paid? My key is ${key}`);
    await pantheon.whenIdle();
    const all = spans();
    const chat = all.find((span) => span.name === 'chat gpt-test') as ReadableSpan;
    const input = chat.attributes['gen_ai.input.messages'] as string;
    expect(input).toContain('Was INV-7 paid? My key is [REDACTED]');
    expect(JSON.stringify(all.map((span) => span.attributes))).not.toContain(key);
    expect(JSON.parse(chat.attributes['gen_ai.output.messages'] as string)).toEqual([
      expect.objectContaining({ role: 'assistant', toolCalls: expect.any(Array) }),
    ]);
    const lookup = byName(all, 'execute_tool lookup-invoice');
    expect(lookup.attributes['gen_ai.tool.call.arguments']).toBe('{"invoice":"INV-7"}');
    expect(lookup.attributes['gen_ai.tool.call.result']).toBe(
      '{"invoice":"INV-7","status":"paid"}',
    );
    expect(byName(all, 'execute_tool refund').attributes).not.toHaveProperty(
      'gen_ai.tool.call.result',
    );
  });

  it('parses only valid W3C traceparents', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    for (const bad of [
      undefined,
      42,
      'garbage',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    expect(traceMetadata(context.active())).toEqual({});
  });
});

describe('createOtelHooks: metrics', () => {
  it('counts tokens by model, times tools by tool and status, and reads mailboxes and dead letters', async () => {
    const { pantheon, reader, stopObserving } = await setup();
    cleanup = () => pantheon.shutdown();
    await pantheon.ask('triage', 'Was INV-7 paid?');
    await pantheon.whenIdle();
    await pantheon.stopActor('notifier');
    await pantheon.sendMessage('notifier', 'waiting');
    await pantheon.sendMessage('notifier', 'waiting too');
    await expect(pantheon.ask('flaky', 'hello?')).rejects.toMatchObject({ code: 'ASK_FAILED' });
    await pantheon.whenIdle();

    const { resourceMetrics } = await reader.collect();
    const metrics = new Map(
      resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .map((metric) => [metric.descriptor.name, metric]),
    );
    const points = (name: string) =>
      (metrics.get(name)?.dataPoints ?? []).map((point) => ({
        attributes: point.attributes,
        value: point.value,
      }));
    expect(points('pantheon.model.tokens')).toEqual([
      { attributes: { model: 'gpt-test-2026-01-01', token_type: 'input' }, value: 20 + 50 + 20 },
      { attributes: { model: 'gpt-test-2026-01-01', token_type: 'output' }, value: 9 },
    ]);
    expect(metrics.get('pantheon.model.tokens')?.descriptor.unit).toBe('{token}');
    expect(
      points('pantheon.tool.duration').map(({ attributes, value }) => ({
        attributes,
        count: (value as { count: number }).count,
      })),
    ).toEqual([
      { attributes: { tool: 'lookup-invoice', status: 'success' }, count: 1 },
      { attributes: { tool: 'refund', status: 'error' }, count: 1 },
    ]);
    expect(
      points('pantheon.model.call.duration').map(({ attributes }) => attributes),
    ).toContainEqual({ model: 'gpt-test', status: 'error' });
    expect(points('pantheon.tick.duration').map(({ attributes }) => attributes)).toEqual(
      expect.arrayContaining([
        { actor_name: 'billing', status: 'success' },
        { actor_name: 'flaky', status: 'error' },
      ]),
    );
    expect(points('pantheon.actor.restarts')).toEqual([
      { attributes: { code: 'LLM_RATE_LIMIT' }, value: 1 },
    ]);
    expect(points('pantheon.mailbox.depth')).toEqual([{ attributes: {}, value: 2 }]);
    const [age] = points('pantheon.mailbox.oldest_message_age');
    expect(age?.value).toBeGreaterThanOrEqual(0);
    expect(age?.value).toBeLessThan(60);
    expect(points('pantheon.pending_asks')).toEqual([{ attributes: {}, value: 0 }]);

    await pantheon.sendMessage('triage', 'oversized');
    await pantheon.whenIdle();
    const after = await reader.collect();
    const deadLetters = after.resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'pantheon.dead_letters');
    expect(deadLetters?.dataPoints.map((point) => [point.attributes, point.value])).toEqual([
      [{ reason: 'MESSAGE_TOO_LARGE' }, 1],
    ]);
    stopObserving();
    await pantheon.sendMessage('triage', 'oversized');
    await pantheon.whenIdle();
    const stopped = await reader.collect();
    const unchanged = stopped.resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'pantheon.dead_letters');
    expect(unchanged?.dataPoints.map((point) => point.value)).toEqual([1]);
  });
});
