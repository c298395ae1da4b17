import {
  type Context,
  context as contextApi,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from '@opentelemetry/api';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The span context in a W3C `traceparent` (and `tracestate`), marked remote; `undefined` when
 * the header is malformed or names the invalid trace.
 */
export function parseTraceparent(
  traceparent: unknown,
  tracestate?: unknown,
): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5] !== undefined)) {
    return undefined;
  }
  const spanContext: SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: Number.parseInt(match[4] as string, 16),
    isRemote: true,
  };
  if (typeof tracestate === 'string' && tracestate !== '') {
    spanContext.traceState = createTraceState(tracestate);
  }
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The W3C `traceparent` of a span context. */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The context a message's trace fields continue, or `undefined` when it carries none. */
export function contextFromMetadata(
  metadata: Record<string, unknown> | undefined,
): Context | undefined {
  const spanContext = parseTraceparent(metadata?.traceparent, metadata?.tracestate);
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : undefined;
}

/**
 * `{ traceparent, tracestate? }` of the active span (or of `context`), to pass as the `metadata`
 * of `sendMessage` or `ask` so the conversation joins the caller's trace; `{}` outside a
 * sampled-or-not valid span.
 *
 * @example
 * await tracer.startActiveSpan('POST /support', async (span) => {
 *   const answer = await pantheon.ask('triage', body, { metadata: traceMetadata() });
 *   span.end();
 * });
 */
export function traceMetadata(context: Context = contextApi.active()): {
  traceparent?: string;
  tracestate?: string;
} {
  const spanContext = trace.getSpanContext(context);
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  const metadata: { traceparent: string; tracestate?: string } = {
    traceparent: formatTraceparent(spanContext),
  };
  const tracestate = spanContext.traceState?.serialize();
  if (tracestate) metadata.tracestate = tracestate;
  return metadata;
}
