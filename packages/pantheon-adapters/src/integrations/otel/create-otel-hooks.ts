import {
  type Attributes,
  type Context,
  context as contextApi,
  type Meter,
  type MeterProvider,
  metrics as metricsApi,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  type Action,
  type Actor,
  combineHooks,
  type OrchestratorHooks,
  type RedactOptions,
  redactSecrets,
} from '@promethean-os/pantheon-core';
import {
  actorName,
  errorType,
  type GaugeSample,
  type MetricsBackend,
  modelOf,
  type ObservableSystem,
  RUNTIME_METRICS,
  type RuntimeMetricKey,
  type RuntimeMetricsOptions,
  runtimeMetricsHooks,
  usageOf,
} from '../runtime-metrics/runtime-metrics';
import { contextFromMetadata, formatTraceparent } from './trace-context';

/** The instrumentation scope of the spans and metrics. */
export const INSTRUMENTATION_SCOPE = '@promethean-os/pantheon';

/** Options of `createOtelHooks`. */
export interface OtelHooksOptions extends RuntimeMetricsOptions {
  /** Where spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global meter provider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /**
   * Record prompts, completions, tool arguments and tool results on the spans
   * (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.tool.call.arguments`,
   * `gen_ai.tool.call.result`), with secrets redacted by core's `redactSecrets`. Default `false`:
   * content often holds personal data.
   */
  captureContent?: boolean | { redact?: RedactOptions };
  /** `gen_ai.provider.name` when a reply or error does not name its provider. */
  providerName?: string;
}

/** Orchestrator hooks that emit OpenTelemetry spans and metrics. */
export interface OtelHooks extends OrchestratorHooks {
  /**
   * Keeps the system's runtime metrics (restarts, failures, dead letters, mailbox depth and age,
   * pending asks). Returns the function that stops observing it.
   */
  observe(system: ObservableSystem): () => void;
}

/** The spans of one actor's tick in flight. */
interface TickSpans {
  tick: Span;
  tickContext: Context;
  behavior?: { span: Span; context: Context };
  action?: Span;
}

function stringify(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

function failed(span: Span, error: unknown): void {
  span.setAttribute('error.type', errorType(error));
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : stringify(error),
  });
}

function providerOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const direct = (value as { provider?: unknown }).provider;
  if (typeof direct === 'string') return direct;
  const fromMetadata = (value as { metadata?: { provider?: unknown } }).metadata?.provider;
  return typeof fromMetadata === 'string' ? fromMetadata : undefined;
}

function actionSpanName(action: Action): { name: string; kind: SpanKind; attributes: Attributes } {
  switch (action.type) {
    case 'tool':
      return {
        name: `execute_tool ${action.name}`,
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': action.name,
          'gen_ai.tool.type': 'function',
        },
      };
    case 'message':
    case 'handoff': {
      const target = action.type === 'handoff' ? action.target : (action.target ?? 'reply');
      return {
        name: `send ${target}`,
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'pantheon',
          'messaging.operation.type': 'send',
          'messaging.operation.name': action.type,
        },
      };
    }
    default:
      return {
        name: `pantheon.action ${action.type}`,
        kind: SpanKind.INTERNAL,
        attributes: { 'pantheon.action.type': action.type },
      };
  }
}

/** The runtime metrics (`RUNTIME_METRICS`) as instruments of an OpenTelemetry meter. */
function otelBackend(meter: Meter): MetricsBackend {
  const counters = new Map<RuntimeMetricKey, ReturnType<Meter['createCounter']>>();
  const histograms = new Map<RuntimeMetricKey, ReturnType<Meter['createHistogram']>>();
  const options = (key: RuntimeMetricKey) => ({
    description: RUNTIME_METRICS[key].help,
    unit: RUNTIME_METRICS[key].unit,
  });
  return {
    add(key, labels, value) {
      let counter = counters.get(key);
      if (!counter) {
        counter = meter.createCounter(RUNTIME_METRICS[key].otel, options(key));
        counters.set(key, counter);
      }
      counter.add(value, labels);
    },
    record(key, labels, value) {
      let histogram = histograms.get(key);
      if (!histogram) {
        histogram = meter.createHistogram(RUNTIME_METRICS[key].otel, options(key));
        histograms.set(key, histogram);
      }
      histogram.record(value, labels);
    },
    gauge(key, read: () => GaugeSample[]) {
      meter.createObservableGauge(RUNTIME_METRICS[key].otel, options(key)).addCallback((result) => {
        for (const sample of read()) result.observe(sample.value, sample.labels);
      });
    },
  };
}

/**
 * OpenTelemetry spans and metrics of a Pantheon system, following the GenAI semantic
 * conventions. Each tick is an `invoke_agent <actor>` span; under it one span per behavior, and
 * under those `chat <model>` spans for model calls, `execute_tool <tool>` spans for tool calls and
 * `send <target>` spans for messages. The tick's W3C `traceparent` travels on every message it
 * sends, so a conversation across actors — in one process, through a durable store after a
 * restart, or across processes — is one trace. Content is not recorded unless `captureContent`.
 * Needs the optional peer `@opentelemetry/api`; call `observe(system)` for the runtime metrics.
 *
 * @example
 * import { createOtelHooks } from '@promethean-os/pantheon-adapters/otel';
 *
 * const otel = createOtelHooks(); // the global tracer and meter providers of your SDK setup
 * const pantheon = new PantheonSystem({ ...ports, hooks: otel });
 * otel.observe(pantheon);
 */
export function createOtelHooks(options: OtelHooksOptions = {}): OtelHooks {
  const tracer: Tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
    INSTRUMENTATION_SCOPE,
  );
  const meter = (options.meterProvider ?? metricsApi.getMeterProvider()).getMeter(
    INSTRUMENTATION_SCOPE,
  );
  const capture = options.captureContent;
  const redact = typeof capture === 'object' ? capture.redact : undefined;
  const content = (value: unknown) => stringify(redactSecrets(value, redact));
  const ticks = new Map<string, TickSpans>();

  /** The context calls of the actor's tick run in: its behavior, its tick, or the active one. */
  function parentOf(actor: Actor): Context {
    const spans = ticks.get(actor.id);
    return spans?.behavior?.context ?? spans?.tickContext ?? contextApi.active();
  }

  /** A span of something that already ended `durationMs` ago (model and tool calls). */
  function endedSpan(
    actor: Actor,
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    durationMs: number,
  ): { span: Span; endTime: number } {
    const endTime = Date.now();
    const span = tracer.startSpan(
      name,
      { kind, attributes, startTime: endTime - durationMs },
      parentOf(actor),
    );
    return { span, endTime };
  }

  const tracing: OrchestratorHooks = {
    onTickStart({ actor, input }) {
      // A tick of the actor that never reported its end (a rejected tick) ends here.
      ticks.get(actor.id)?.tick.end();
      const parent = contextFromMetadata(input.metadata) ?? contextApi.active();
      const attributes: Attributes = {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.id': actor.id,
        'gen_ai.agent.name': actorName(actor),
      };
      if (input.conversationId !== undefined) {
        attributes['gen_ai.conversation.id'] = input.conversationId;
      }
      if (input.messageId !== undefined) {
        attributes['messaging.operation.type'] = 'process';
        attributes['messaging.message.id'] = input.messageId;
      }
      const hops = input.metadata?.hops;
      if (typeof hops === 'number') attributes['pantheon.message.hops'] = hops - 1;
      if (input.from !== undefined) attributes['pantheon.message.from'] = input.from;
      const tick = tracer.startSpan(
        `invoke_agent ${actorName(actor)}`,
        { kind: SpanKind.INTERNAL, attributes },
        parent,
      );
      const tickContext = trace.setSpan(parent, tick);
      ticks.set(actor.id, { tick, tickContext });
      const spanContext = tick.spanContext();
      if (trace.isSpanContextValid(spanContext)) {
        // Read by the tick after this hook: its messages carry the tick's span as their parent.
        input.metadata ??= {};
        input.metadata.traceparent = formatTraceparent(spanContext);
        const tracestate = spanContext.traceState?.serialize();
        if (tracestate) input.metadata.tracestate = tracestate;
      }
    },
    onContextCompiled({ actor, messages, durationMs }) {
      ticks.get(actor.id)?.tick.addEvent('pantheon.context.compiled', {
        'pantheon.context.messages': messages.length,
        'pantheon.context.duration_ms': durationMs,
      });
    },
    onBehaviorStart({ actor, behavior }) {
      const spans = ticks.get(actor.id);
      const parent = spans?.tickContext ?? contextApi.active();
      const span = tracer.startSpan(
        `behavior ${behavior.name}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            'pantheon.behavior.name': behavior.name,
            'pantheon.behavior.mode': behavior.mode,
          },
        },
        parent,
      );
      if (spans) spans.behavior = { span, context: trace.setSpan(parent, span) };
      else span.end();
    },
    onBehaviorEnd({ actor, actions, error }) {
      const spans = ticks.get(actor.id);
      const span = spans?.behavior?.span;
      if (!spans || !span) return;
      span.setAttribute('pantheon.behavior.actions', actions);
      if (error) failed(span, error);
      span.end();
      spans.behavior = undefined;
    },
    onActionStart({ actor, action }) {
      const { name, kind, attributes } = actionSpanName(action);
      if (capture && action.type === 'tool') {
        attributes['gen_ai.tool.call.arguments'] = content(action.args);
      }
      const span = tracer.startSpan(name, { kind, attributes }, parentOf(actor));
      const spans = ticks.get(actor.id);
      if (spans) spans.action = span;
      else span.end(); // executeAction outside a tick: its end is not paired by actor
    },
    onActionEnd({ actor, result }) {
      const spans = ticks.get(actor.id);
      const span = spans?.action;
      if (!spans || !span) return;
      spans.action = undefined;
      const { action } = result;
      if ((action.type === 'message' || action.type === 'handoff') && result.ok) {
        const message = result.result as { id?: string; to?: string };
        if (message.to !== undefined) {
          span.setAttribute('messaging.destination.name', message.to);
          span.updateName(`send ${message.to}`);
        }
        if (message.id !== undefined) span.setAttribute('messaging.message.id', message.id);
      }
      if (capture && action.type === 'tool' && result.ok) {
        span.setAttribute('gen_ai.tool.call.result', content(result.result));
      }
      if (result.error) failed(span, result.error);
      span.end();
    },
    onModelCall({ actor, options: request, reply, error, durationMs, messages }) {
      const requested = request.model;
      const attributes: Attributes = { 'gen_ai.operation.name': 'chat' };
      const provider = providerOf(reply) ?? providerOf(error) ?? options.providerName;
      if (provider !== undefined) attributes['gen_ai.provider.name'] = provider;
      if (requested !== undefined) attributes['gen_ai.request.model'] = requested;
      if (request.temperature !== undefined) {
        attributes['gen_ai.request.temperature'] = request.temperature;
      }
      if (request.maxTokens !== undefined)
        attributes['gen_ai.request.max_tokens'] = request.maxTokens;
      const responseModel = modelOf(reply, undefined);
      if (responseModel !== undefined) attributes['gen_ai.response.model'] = responseModel;
      const responseId = reply?.metadata?.id;
      if (typeof responseId === 'string') attributes['gen_ai.response.id'] = responseId;
      const usage = usageOf(reply);
      if (usage) {
        attributes['gen_ai.usage.input_tokens'] = usage.inputTokens;
        attributes['gen_ai.usage.output_tokens'] = usage.outputTokens;
      }
      const finishReason = reply?.metadata?.finishReason;
      if (typeof finishReason === 'string') {
        attributes['gen_ai.response.finish_reasons'] = [finishReason];
      } else if (reply) {
        attributes['gen_ai.response.finish_reasons'] = [
          (reply.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop',
        ];
      }
      if (capture) {
        attributes['gen_ai.input.messages'] = content(messages);
        if (reply) attributes['gen_ai.output.messages'] = content([reply]);
      }
      const name = requested ?? responseModel;
      const { span, endTime } = endedSpan(
        actor,
        name === undefined ? 'chat' : `chat ${name}`,
        SpanKind.CLIENT,
        attributes,
        durationMs,
      );
      if (error !== undefined) failed(span, error);
      span.end(endTime);
    },
    onToolCall({ actor, name, args, toolCallId, result, error, durationMs }) {
      const attributes: Attributes = {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': name,
        'gen_ai.tool.type': 'function',
      };
      if (toolCallId !== undefined) attributes['gen_ai.tool.call.id'] = toolCallId;
      if (capture) {
        attributes['gen_ai.tool.call.arguments'] = content(args);
        if (error === undefined) attributes['gen_ai.tool.call.result'] = content(result);
      }
      const { span, endTime } = endedSpan(
        actor,
        `execute_tool ${name}`,
        SpanKind.INTERNAL,
        attributes,
        durationMs,
      );
      if (error !== undefined) failed(span, error);
      span.end(endTime);
    },
    onTickEnd({ actor, result }) {
      const spans = ticks.get(actor.id);
      if (!spans) return;
      ticks.delete(actor.id);
      spans.tick.setAttributes({
        'pantheon.tick.state': result.state,
        'pantheon.tick.actions': result.actions.length,
      });
      const first = result.errors[0];
      if (first) failed(spans.tick, first);
      spans.tick.end();
    },
    onTickFailed({ actor, error }) {
      const spans = ticks.get(actor.id);
      if (!spans) return;
      ticks.delete(actor.id);
      spans.behavior?.span.end();
      spans.action?.end();
      failed(spans.tick, error);
      spans.tick.end();
    },
  };

  const runtime = runtimeMetricsHooks(otelBackend(meter), options);
  return { ...combineHooks(tracing, runtime), observe: (system) => runtime.observe(system) };
}
