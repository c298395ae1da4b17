import { readFileSync } from 'node:fs';
import {
  ConfigError,
  type LlmCompleteOptions,
  LlmError,
  type LlmErrorOptions,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
  MessageSchema,
} from '@promethean-os/pantheon-core';
import {
  check,
  errorMessage,
  llmAbortError,
  llmOutput,
  stableStringify,
} from '@promethean-os/pantheon-core/adapter-kit';
import {
  type Cassette,
  type CassetteInteraction,
  lastUserMessage,
  normalizeRequest,
} from './cassette';
import { copyData } from './internal/copy-data';
import { assertValidMessages } from './internal/invalid';
import { streamEventsOf } from './mock-llm-adapter';

function invalidCassette(file: string, reason: string, cause?: unknown): ConfigError {
  return new ConfigError(
    `Invalid LLM cassette ${file}: ${reason}`,
    { file },
    {
      code: 'INVALID_CASSETTE',
      cause,
    },
  );
}

/** Reads and checks a cassette file. With `missingOk`, a missing file is an empty cassette. */
export function readCassette(file: string, { missingOk = false } = {}): Cassette {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (missingOk && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { version: 1, interactions: [] };
    }
    throw new ConfigError(
      `Cannot read LLM cassette ${file}: ${errorMessage(error)}`,
      { file },
      {
        code: 'CASSETTE_NOT_FOUND',
        cause: error,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidCassette(file, 'not JSON', error);
  }
  const cassette = parsed as Partial<Cassette>;
  if (cassette?.version !== 1 || !Array.isArray(cassette.interactions)) {
    throw invalidCassette(file, 'expected { "version": 1, "interactions": [...] }');
  }
  cassette.interactions.forEach((interaction, index) => {
    const where = `interactions[${index}]`;
    if (!Array.isArray(interaction?.request?.messages)) {
      throw invalidCassette(file, `${where}.request.messages is not an array`);
    }
    if (interaction.reply !== undefined && !check(MessageSchema, interaction.reply).ok) {
      throw invalidCassette(file, `${where}.reply is not a message`);
    }
    if (interaction.reply === undefined && interaction.error === undefined) {
      throw invalidCassette(file, `${where} has neither a reply nor an error`);
    }
    const code: unknown = interaction.error?.code;
    if (interaction.error !== undefined && (typeof code !== 'string' || code === '')) {
      throw invalidCassette(file, `${where}.error.code is not a string`);
    }
  });
  return cassette as Cassette;
}

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * An `LlmPort` that answers from a cassette written by `RecordingLlmAdapter`, without any
 * network. A call is matched on its normalized request (the messages, and the options `model`,
 * the names of `tools`, `toolChoice` and the name of `output`; tool call ids are renumbered, metadata ignored). When
 * the same request was recorded several times, the n-th identical call gets the n-th recorded
 * reply and later calls repeat the last one. A recorded error is replayed as an `LlmError` with
 * its code; a request that was never recorded rejects with `LlmError` `LLM_CASSETTE_MISS`
 * naming the model and the last user message. The file is read (and checked) by the constructor:
 * a missing file is `ConfigError` `CASSETTE_NOT_FOUND`, a malformed one `INVALID_CASSETTE`.
 *
 * @example
 * const llm = new ReplayLlmAdapter('test/cassettes/support.cassette.json');
 * const reply = await llm.complete([{ role: 'user', content: 'Hello' }], { model: 'gpt-4o' });
 */
export class ReplayLlmAdapter implements LlmPort {
  private readonly recorded = new Map<string, CassetteInteraction[]>();
  private readonly served = new Map<string, number>();

  constructor(readonly file: string) {
    for (const interaction of readCassette(file).interactions) {
      const key = stableStringify(interaction.request);
      const list = this.recorded.get(key) ?? [];
      list.push(interaction);
      this.recorded.set(key, list);
    }
  }

  async complete(messages: Message[], opts: LlmCompleteOptions = {}): Promise<Message> {
    const interaction = this.lookUp(messages, opts);
    if (interaction.error) throw this.replayedError(interaction);
    return this.withOutput(copyData(interaction.reply as Message), opts);
  }

  /** Replays the recorded events, or derives them from the recorded reply. */
  async *stream(messages: Message[], opts: LlmCompleteOptions = {}): AsyncIterable<LlmStreamEvent> {
    const interaction = this.lookUp(messages, opts);
    if (interaction.error) throw this.replayedError(interaction);
    const events = interaction.events ?? streamEventsOf(interaction.reply as Message);
    for (const event of events) {
      if (opts.signal?.aborted) throw llmAbortError(opts.signal, 'replay');
      yield event.type === 'finish'
        ? { type: 'finish', message: this.withOutput(copyData(event.message), opts) }
        : copyData(event);
    }
  }

  /** With `output`, the recorded text parsed and validated again, as the recorded adapter did. */
  private withOutput(reply: Message, opts: LlmCompleteOptions): Message {
    if (opts.output === undefined) return reply;
    const { output: _recorded, ...rest } = reply;
    return llmOutput(opts.output, 'replay').parse(rest);
  }

  private lookUp(messages: Message[], opts: LlmCompleteOptions): CassetteInteraction {
    assertValidMessages('ReplayLlmAdapter', messages, 'replay');
    if (opts.signal?.aborted) throw llmAbortError(opts.signal, 'replay');
    const request = normalizeRequest(messages, opts);
    const key = stableStringify(request);
    const list = this.recorded.get(key);
    if (!list || list.length === 0) {
      const user = lastUserMessage(request);
      const model = request.model ?? '(default model)';
      throw new LlmError(
        `No recorded reply in ${this.file} for model ${model} and last user message ${
          user === undefined ? '(none)' : JSON.stringify(truncate(user))
        }; record the conversation again with RecordingLlmAdapter`,
        { file: this.file, model: request.model, lastUserMessage: user, request },
        { code: 'LLM_CASSETTE_MISS', provider: 'replay', retryable: false },
      );
    }
    const index = this.served.get(key) ?? 0;
    this.served.set(key, index + 1);
    return list[Math.min(index, list.length - 1)] as CassetteInteraction;
  }

  private replayedError(interaction: CassetteInteraction): LlmError {
    const recorded = interaction.error!;
    const options: LlmErrorOptions = {
      code: recorded.code,
      provider: 'replay',
    };
    if (recorded.status !== undefined) options.status = recorded.status;
    if (recorded.retryable !== undefined) options.retryable = recorded.retryable;
    return new LlmError(recorded.message, { replayed: true, originalName: recorded.name }, options);
  }
}
