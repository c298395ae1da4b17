import {
  ConfigError,
  type LlmCompleteOptions,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
} from '@promethean-os/pantheon-core';
import { llmOutput, toolParametersToJsonSchema } from '@promethean-os/pantheon-core/adapter-kit';
import { stableHash } from './stable-hash';
import { TtlLruCache } from './ttl-lru-cache';

/** Options of `CachedLlmAdapter`. */
export interface CachedLlmAdapterOptions {
  /** How long a reply is reused, in milliseconds. Default five minutes. */
  ttlMs?: number;
  /** At most this many replies are kept (least recently used go first). Default 500. */
  maxEntries?: number;
  /** Clock in milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Reuses the reply to an identical request: same messages and same options (model, temperature,
 * tools by name, description and schema, structured `output`, …; `signal` is not part of the key, which is a SHA-256
 * of the request). Failures are never cached, nor a reply that arrives after the caller's signal
 * aborted. Every caller gets its own copy of the reply. `stream` (when the delegate has it) is not
 * cached. Only use it where a repeated request may get the same answer, e.g. `temperature: 0`.
 *
 * @example
 * const llm = new CachedLlmAdapter(new OpenAiAdapter(), { ttlMs: 60_000, maxEntries: 200 });
 */
export class CachedLlmAdapter implements LlmPort {
  readonly stream?: (
    messages: Message[],
    options?: LlmCompleteOptions,
  ) => AsyncIterable<LlmStreamEvent>;
  private readonly cache: TtlLruCache<Message>;

  constructor(
    private readonly delegate: LlmPort,
    options: CachedLlmAdapterOptions = {},
  ) {
    const ttlMs = options.ttlMs ?? 300_000;
    const maxEntries = options.maxEntries ?? 500;
    if (!(ttlMs > 0) || !Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new ConfigError('CachedLlmAdapter needs a positive ttlMs and maxEntries', {
        ttlMs,
        maxEntries,
      });
    }
    this.cache = new TtlLruCache({ ttlMs, maxEntries, now: options.now ?? Date.now });
    if (delegate.stream) this.stream = (messages, opts) => delegate.stream!(messages, opts);
  }

  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    const { signal, tools, output, ...rest } = options;
    let key: string;
    try {
      key = await stableHash({
        messages,
        options: rest,
        // A zod schema is keyed by its JSON Schema, as tools are.
        output: output && { ...output, schema: llmOutput(output).jsonSchema },
        tools: tools?.map((tool) => ({
          name: tool.name,
          description: tool.description,
          parameters: toolParametersToJsonSchema(tool.parameters),
        })),
      });
    } catch {
      // A request that cannot be hashed (e.g. a cycle in metadata) is simply not cached.
      return this.delegate.complete(messages, options);
    }
    const cached = this.cache.get(key);
    if (cached) return structuredClone(cached);
    const reply = await this.delegate.complete(messages, options);
    if (signal?.aborted) return reply;
    try {
      this.cache.set(key, structuredClone(reply));
    } catch {
      // A reply that cannot be copied is passed on uncached.
    }
    return reply;
  }

  /** How many replies are cached. */
  get size(): number {
    return this.cache.size;
  }

  /** Drops every cached reply. */
  clear(): void {
    this.cache.clear();
  }
}
