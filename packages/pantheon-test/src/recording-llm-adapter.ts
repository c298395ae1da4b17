import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type LlmCompleteOptions,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
  PantheonError,
} from '@promethean-os/pantheon-core';
import {
  errorMessage,
  invalidArgument,
  stableStringify,
} from '@promethean-os/pantheon-core/adapter-kit';
import {
  type Cassette,
  type CassetteError,
  type CassetteInteraction,
  normalizeRequest,
} from './cassette';
import { copyData } from './internal/copy-data';
import { assertValidMessages } from './internal/invalid';
import { streamEventsOf } from './mock-llm-adapter';
import { readCassette } from './replay-llm-adapter';

/** Options of `RecordingLlmAdapter`. */
export interface RecordingLlmAdapterOptions {
  /** Keep the interactions already in `file` and add to them. Default `false`: start afresh. */
  append?: boolean;
}

function recordedError(error: unknown): CassetteError {
  if (PantheonError.isInstance(error)) {
    const recorded: CassetteError = { name: error.name, code: error.code, message: error.message };
    const { status, retryable } = error as PantheonError & {
      status?: unknown;
      retryable?: unknown;
    };
    if (typeof status === 'number') recorded.status = status;
    if (typeof retryable === 'boolean') recorded.retryable = retryable;
    return recorded;
  }
  return {
    name: error instanceof Error ? error.name : 'Error',
    code: 'LLM_ERROR',
    message: errorMessage(error),
  };
}

/**
 * A reply as recorded: without its parsed `output`, which replay derives again from the text with
 * the caller's schema (a zod schema's transforms may have made it something JSON cannot hold).
 */
function recordedReply(reply: Message): Message {
  const { output: _derived, ...rest } = copyData(reply);
  return rest;
}

/**
 * An `LlmPort` that passes every call to `delegate` (a real model) and writes each request and
 * its reply — or its error — to the JSON cassette `file` (pretty-printed, keys sorted, so
 * recordings diff cleanly). Replay the file with `ReplayLlmAdapter`: a conversation recorded once
 * becomes a deterministic test. The file is rewritten after every call, so a crashed run keeps
 * what it recorded; each call resolves after its write.
 *
 * @example
 * const llm = process.env.RECORD
 *   ? new RecordingLlmAdapter(new OpenAiAdapter(), 'test/cassettes/support.cassette.json')
 *   : new ReplayLlmAdapter('test/cassettes/support.cassette.json');
 */
export class RecordingLlmAdapter implements LlmPort {
  private readonly cassette: Cassette;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly delegate: LlmPort,
    readonly file: string,
    options: RecordingLlmAdapterOptions = {},
  ) {
    if (typeof delegate?.complete !== 'function') {
      throw invalidArgument('RecordingLlmAdapter', [
        { path: 'delegate', message: 'expected an LlmPort (an object with complete())' },
      ]);
    }
    if (typeof file !== 'string' || file === '') {
      throw invalidArgument('RecordingLlmAdapter', [
        { path: 'file', message: 'expected a file path' },
      ]);
    }
    this.cassette = options.append
      ? readCassette(file, { missingOk: true })
      : { version: 1, interactions: [] };
  }

  /** The interactions recorded so far (including those kept by `append`). */
  getInteractions(): CassetteInteraction[] {
    return copyData(this.cassette.interactions);
  }

  async complete(messages: Message[], opts: LlmCompleteOptions = {}): Promise<Message> {
    assertValidMessages('RecordingLlmAdapter.complete', messages, 'recording');
    const request = normalizeRequest(messages, opts);
    try {
      const reply = await this.delegate.complete(messages, opts);
      await this.record({ request, reply: recordedReply(reply) });
      return reply;
    } catch (error) {
      await this.record({ request, error: recordedError(error) });
      throw error;
    }
  }

  /** Streams from the delegate (or its `complete` when it cannot stream) and records the events. */
  async *stream(messages: Message[], opts: LlmCompleteOptions = {}): AsyncIterable<LlmStreamEvent> {
    assertValidMessages('RecordingLlmAdapter.stream', messages, 'recording');
    const request = normalizeRequest(messages, opts);
    const events: LlmStreamEvent[] = [];
    try {
      const source = this.delegate.stream
        ? this.delegate.stream(messages, opts)
        : streamEventsOf(await this.delegate.complete(messages, opts));
      for await (const event of source) {
        events.push(
          event.type === 'finish'
            ? { type: 'finish', message: recordedReply(event.message) }
            : copyData(event),
        );
        yield event;
      }
    } catch (error) {
      await this.record({ request, error: recordedError(error) });
      throw error;
    }
    const finish = events.at(-1);
    const interaction: CassetteInteraction = { request, events };
    if (finish?.type === 'finish') interaction.reply = copyData(finish.message);
    await this.record(interaction);
  }

  private record(interaction: CassetteInteraction): Promise<void> {
    this.cassette.interactions.push(interaction);
    const text = `${stableStringify(this.cassette, 2)}\n`;
    // Writes are chained so that a slower earlier write never lands after a later one.
    const write = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(this.file, text, 'utf8');
    });
    this.writing = write.catch(() => {});
    return write;
  }
}
