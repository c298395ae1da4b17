import type { LlmStreamEvent } from './ports/llm-port';

/** Turns the events of one provider's stream into `LlmStreamEvent`s. */
export interface LlmStreamAccumulator<ProviderEvent> {
  /** The events that one provider event completes (text deltas, finished tool calls). */
  push(event: ProviderEvent): Iterable<LlmStreamEvent>;
  /** The events left once the provider's stream has ended, `finish` last. */
  finish(): Iterable<LlmStreamEvent>;
}

/** How `pumpLlmStream` reports failures and lets go of the provider's response. */
export interface LlmStreamPumpOptions {
  /** The caller's signal; an abort is a failure even when the SDK just ends the iteration. */
  signal?: AbortSignal | undefined;
  /** The error to throw for a failure of the provider's stream, or for `signal.reason`. */
  toError(error: unknown): unknown;
  /** Closes the provider's response; called when the stream is not read to its end. */
  abort(): void;
}

/**
 * A provider's stream, read through `accumulator`, as `LlmStreamEvent`s with `finish` last. A
 * failure while reading, or an abort of `options.signal`, is thrown as `options.toError(...)`; a
 * consumer that stops early, or any failure, calls `options.abort()` so that the HTTP response is
 * not left open.
 *
 * @example
 * const events = await client.chat.completions.create({ ...body, stream: true }, { signal });
 * yield* pumpLlmStream(events, new MyStreamAccumulator(), {
 *   signal,
 *   toError: (error) => toMyLlmError(error, signal),
 *   abort: () => events.controller.abort(),
 * });
 */
export async function* pumpLlmStream<ProviderEvent>(
  events: AsyncIterable<ProviderEvent>,
  accumulator: LlmStreamAccumulator<ProviderEvent>,
  options: LlmStreamPumpOptions,
): AsyncGenerator<LlmStreamEvent, void, undefined> {
  const { signal, toError } = options;
  const iterator = events[Symbol.asyncIterator]();
  let finished = false;
  try {
    while (true) {
      let next: IteratorResult<ProviderEvent>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw toError(error);
      }
      if (next.done) break;
      yield* accumulator.push(next.value);
    }
    // The Stainless SDKs end the iteration quietly when the signal aborts mid-stream.
    if (signal?.aborted) throw toError(signal.reason);
    const remaining = accumulator.finish();
    finished = true;
    yield* remaining;
  } finally {
    if (!finished) options.abort();
  }
}
