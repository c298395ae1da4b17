import {
  ConfigError,
  type LlmCompleteOptions,
  LlmError,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
  PantheonError,
} from '@promethean-os/pantheon-core';
import { abortError, NEVER_ABORTED, withTimeout } from '@promethean-os/pantheon-core/adapter-kit';
import {
  type BulkheadPolicy,
  bulkhead,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isIsolatedCircuitError,
  isTaskCancelledError,
  type RetryPolicy,
  retry,
  type TimeoutPolicy,
  TimeoutStrategy,
  timeout,
} from 'cockatiel';
import { NodeScheduler } from './node-scheduler';

/** Retry settings: exponential backoff with decorrelated jitter. */
export interface LlmRetryOptions {
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** First backoff delay in milliseconds. Default 250. */
  initialDelayMs?: number;
  /** Longest backoff delay in milliseconds. Default 10,000. */
  maxDelayMs?: number;
}

/** Circuit-breaker settings. */
export interface LlmCircuitBreakerOptions {
  /** Consecutive retryable failures that open the circuit. Default 5. */
  consecutiveFailures?: number;
  /** How long the circuit stays open before one trial call, in milliseconds. Default 30,000. */
  halfOpenAfterMs?: number;
}

/** Concurrency limit. */
export interface LlmBulkheadOptions {
  /** Calls that may run at once. */
  limit: number;
  /** Calls that may wait for a slot; beyond that they fail with `LLM_BULKHEAD_FULL`. Default 0. */
  queue?: number;
}

/** Circuit states reported to `onCircuitStateChange`. */
export type LlmCircuitState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Options of `ResilientLlmAdapter`; `false` turns a policy off. */
export interface ResilientLlmAdapterOptions {
  retry?: LlmRetryOptions | false;
  circuitBreaker?: LlmCircuitBreakerOptions | false;
  /** Per-attempt timeout in milliseconds (`LLM_TIMEOUT`, retryable). Default 60,000. */
  timeoutMs?: number | false;
  /** Default: no concurrency limit. */
  bulkhead?: LlmBulkheadOptions | false;
  /** Called before each retry. */
  onRetry?: (event: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Called when the circuit changes state. */
  onCircuitStateChange?: (state: LlmCircuitState) => void;
}

const CIRCUIT_STATES: Record<CircuitState, LlmCircuitState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** Only failures worth trying again: `LlmError`s marked `retryable`. */
function isRetryable(error: unknown): boolean {
  return PantheonError.isInstance(error) && (error as LlmError).retryable === true;
}

function circuitOpen(cause?: unknown): LlmError {
  return new LlmError(
    'The circuit breaker is open: the model is failing, calls are paused',
    undefined,
    {
      code: 'LLM_CIRCUIT_OPEN',
      retryable: false,
      cause,
    },
  );
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new ConfigError(`${name} must be a non-negative number`, { [name]: value });
  }
  return value;
}

/**
 * Makes a model dependable with `cockatiel` policies, outermost first: a bulkhead (concurrency
 * limit), retries with exponential backoff and jitter, a circuit breaker, and a timeout per
 * attempt. Only `LlmError`s with `retryable: true` (rate limits, timeouts, connection and server
 * errors) are retried and count towards opening the circuit; anything else is passed through at
 * once. While the circuit is open, calls fail fast with `LLM_CIRCUIT_OPEN`; a full bulkhead is
 * `LLM_BULKHEAD_FULL`; a timed-out attempt is `LLM_TIMEOUT`; the caller's `signal` cancels
 * waiting and attempts (`LLM_ABORTED`). `stream` (when the delegate has it) is refused while the
 * circuit is open and otherwise passed through unchanged: never retried, timed out or queued,
 * since a partly delivered stream cannot be replayed.
 *
 * @example
 * const llm = new ResilientLlmAdapter(new OpenAiAdapter(), {
 *   retry: { maxRetries: 3, initialDelayMs: 500 },
 *   circuitBreaker: { consecutiveFailures: 5, halfOpenAfterMs: 30_000 },
 *   timeoutMs: 60_000,
 *   bulkhead: { limit: 8, queue: 100 },
 * });
 */
export class ResilientLlmAdapter implements LlmPort {
  readonly stream?: (
    messages: Message[],
    options?: LlmCompleteOptions,
  ) => AsyncIterable<LlmStreamEvent>;
  private readonly retryPolicy: RetryPolicy | undefined;
  private readonly breaker: CircuitBreakerPolicy | undefined;
  private readonly timeoutPolicy: TimeoutPolicy | undefined;
  private readonly bulkheadPolicy: BulkheadPolicy | undefined;
  private readonly timeoutMs: number | undefined;
  /** Only for `withTimeout`'s abort handling: no timer is ever set on it. */
  private readonly scheduler = new NodeScheduler();

  constructor(
    private readonly delegate: LlmPort,
    options: ResilientLlmAdapterOptions = {},
  ) {
    const retryOptions = options.retry === false ? undefined : (options.retry ?? {});
    if (retryOptions) {
      this.retryPolicy = retry(handleWhen(isRetryable), {
        maxAttempts: nonNegative('retry.maxRetries', retryOptions.maxRetries ?? 2),
        backoff: new ExponentialBackoff({
          initialDelay: nonNegative('retry.initialDelayMs', retryOptions.initialDelayMs ?? 250),
          maxDelay: nonNegative('retry.maxDelayMs', retryOptions.maxDelayMs ?? 10_000),
        }),
      });
      const onRetry = options.onRetry;
      if (onRetry) {
        this.retryPolicy.onRetry((event) =>
          onRetry({
            attempt: event.attempt,
            delayMs: event.delay,
            error: 'error' in event ? event.error : undefined,
          }),
        );
      }
    }
    const breakerOptions =
      options.circuitBreaker === false ? undefined : (options.circuitBreaker ?? {});
    if (breakerOptions) {
      this.breaker = circuitBreaker(handleWhen(isRetryable), {
        halfOpenAfter: nonNegative(
          'circuitBreaker.halfOpenAfterMs',
          breakerOptions.halfOpenAfterMs ?? 30_000,
        ),
        breaker: new ConsecutiveBreaker(
          nonNegative(
            'circuitBreaker.consecutiveFailures',
            breakerOptions.consecutiveFailures ?? 5,
          ),
        ),
      });
      const onChange = options.onCircuitStateChange;
      if (onChange) this.breaker.onStateChange((state) => onChange(CIRCUIT_STATES[state]));
    }
    if (options.timeoutMs !== false) {
      this.timeoutMs = nonNegative('timeoutMs', options.timeoutMs ?? 60_000);
      this.timeoutPolicy = timeout(this.timeoutMs, TimeoutStrategy.Aggressive);
    }
    if (options.bulkhead) {
      this.bulkheadPolicy = bulkhead(
        nonNegative('bulkhead.limit', options.bulkhead.limit),
        nonNegative('bulkhead.queue', options.bulkhead.queue ?? 0),
      );
    }
    if (delegate.stream) {
      this.stream = (messages, streamOptions) => this.guardedStream(messages, streamOptions);
    }
  }

  /** The circuit's state, or `undefined` without a circuit breaker. */
  get circuitState(): LlmCircuitState | undefined {
    return this.breaker && CIRCUIT_STATES[this.breaker.state];
  }

  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    const outer = options.signal;
    const call = (signal: AbortSignal) => this.delegate.complete(messages, { ...options, signal });
    // Translated at each layer, so a timed-out attempt is a retryable LLM_TIMEOUT that the
    // breaker counts and the retry policy retries, and an open circuit stops the retries.
    const attempt = (signal: AbortSignal) =>
      this.timeoutPolicy
        ? this.translate(
            this.timeoutPolicy.execute((context) => call(context.signal), signal),
            outer,
          )
        : call(signal);
    const guarded = (signal: AbortSignal) =>
      this.breaker
        ? this.translate(
            this.breaker.execute((context) => attempt(context.signal), signal),
            outer,
          )
        : attempt(signal);
    const retried = (signal: AbortSignal) =>
      this.retryPolicy
        ? this.retryPolicy.execute((context) => {
            // cockatiel finishes a backoff delay even when the caller gave up meanwhile.
            if (context.signal.aborted) throw abortError(context.signal);
            return guarded(context.signal);
          }, signal)
        : guarded(signal);
    const limited = (signal: AbortSignal) =>
      this.bulkheadPolicy
        ? this.bulkheadPolicy.execute((context) => retried(context.signal), signal)
        : retried(signal);
    if (!outer) return this.translate(limited(NEVER_ABORTED), outer);
    // Rejects as soon as the caller aborts, even in the middle of a backoff delay.
    return this.translate(
      withTimeout(this.scheduler, undefined, outer, abortError.bind(null, outer), limited),
      outer,
    );
  }

  private async *guardedStream(
    messages: Message[],
    options: LlmCompleteOptions = {},
  ): AsyncIterable<LlmStreamEvent> {
    const state = this.breaker?.state;
    if (state === CircuitState.Open || state === CircuitState.Isolated) throw circuitOpen();
    yield* this.delegate.stream!(messages, options);
  }

  /** Turns cockatiel's errors into `LlmError`s; `LlmError`s and others pass unchanged. */
  private async translate<T>(work: Promise<T>, outer: AbortSignal | undefined): Promise<T> {
    try {
      return await work;
    } catch (error) {
      const pantheon = PantheonError.isInstance(error);
      // Once the caller gave up, the answer is that it did, whatever the last attempt said.
      if (outer?.aborted && !(pantheon && error.code === 'LLM_ABORTED')) {
        throw new LlmError('The model call was aborted', undefined, {
          code: 'LLM_ABORTED',
          retryable: false,
          cause: pantheon ? error : abortError(outer),
        });
      }
      if (pantheon) throw error;
      if (isTaskCancelledError(error)) {
        throw new LlmError(
          `The model did not answer within ${this.timeoutMs} ms`,
          { timeoutMs: this.timeoutMs },
          {
            code: 'LLM_TIMEOUT',
            retryable: true,
            cause: error,
          },
        );
      }
      if (isBrokenCircuitError(error) || isIsolatedCircuitError(error)) throw circuitOpen(error);
      if (isBulkheadRejectedError(error)) {
        throw new LlmError(
          'Too many model calls at once: the bulkhead and its queue are full',
          undefined,
          {
            code: 'LLM_BULKHEAD_FULL',
            retryable: true,
            cause: error,
          },
        );
      }
      throw error;
    }
  }
}
