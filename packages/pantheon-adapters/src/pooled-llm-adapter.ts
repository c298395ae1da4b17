import {
  ConfigError,
  type LlmCompleteOptions,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
} from '@promethean-os/pantheon-core';

/**
 * Spreads calls over `poolSize` adapters made by `factory`, round-robin (e.g. several API keys or
 * endpoints). `stream` exists when the pooled adapters stream, and takes its turn like `complete`.
 *
 * @example
 * const llm = new PooledLlmAdapter(3, () => new OpenAiAdapter({ model: 'gpt-4o-mini' }));
 */
export class PooledLlmAdapter implements LlmPort {
  readonly stream?: (
    messages: Message[],
    options?: LlmCompleteOptions,
  ) => AsyncIterable<LlmStreamEvent>;
  private readonly pool: LlmPort[];
  private next = 0;

  constructor(poolSize: number, factory: () => LlmPort) {
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      throw new ConfigError('PooledLlmAdapter needs a poolSize that is a positive integer', {
        poolSize,
      });
    }
    if (typeof factory !== 'function') {
      throw new ConfigError('PooledLlmAdapter needs a factory function', {
        factory: typeof factory,
      });
    }
    this.pool = Array.from({ length: poolSize }, () => factory());
    if (this.pool.every((adapter) => typeof adapter.stream === 'function')) {
      this.stream = (messages, options) => this.take().stream!(messages, options);
    }
  }

  complete(messages: Message[], options?: LlmCompleteOptions): Promise<Message> {
    return this.take().complete(messages, options);
  }

  /** The pooled adapters, in turn order. */
  get adapters(): readonly LlmPort[] {
    return this.pool;
  }

  private take(): LlmPort {
    const adapter = this.pool[this.next]!;
    this.next = (this.next + 1) % this.pool.length;
    return adapter;
  }
}
