import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type BusHandler,
  type BusMessage,
  type MessageBus,
  PantheonError,
  type SubscribeOptions,
} from '@promethean-os/pantheon-core';
import {
  BoundedLog,
  checkBusMessage,
  errorMessage,
  requireFunction,
} from '@promethean-os/pantheon-core/adapter-kit';

/** A message taken off the stream that was not a valid `BusMessage`; it was terminated, not redelivered. */
export interface NatsDeadLetter {
  subject: string;
  /** Stream sequence of the message. */
  sequence: number;
  /** The raw payload as text (invalid UTF-8 replaced). */
  data: string;
  /** Why it was refused, e.g. `'payload is not JSON: …'` or `'to: expected a non-empty string'`. */
  reason: string;
}

/** How the bus consumes the stream. */
export interface NatsConsumerOptions {
  /**
   * Name of a durable consumer: it survives the process, and a new bus with the same name goes
   * on where the last one acknowledged (messages unacknowledged by a dead process are
   * redelivered). Without it, the bus makes an ephemeral consumer that starts at the first
   * `subscribe` and is deleted by `close()` (or by the server once inactive).
   */
  durableName?: string;
  /** Subjects this bus consumes; default every subject of the bus (`<subjectPrefix>.>`). */
  filterSubjects?: string[];
  /** How long the server waits for an acknowledgement before redelivering. Default 30,000 ms. */
  ackWaitMs?: number;
  /** Messages handed out and not yet acknowledged, at most. Default 1,000. */
  maxAckPending?: number;
  /**
   * With `durableName`: replace every durable consumer of the stream that reads the same
   * subjects (this name or another, e.g. a previous owner's) by this one, starting at the lowest
   * of their acknowledgement floors — so messages handed to a reader that died are delivered
   * again at once rather than after `ackWaitMs`. Give each successive reader its own name (e.g.
   * with a fencing epoch in it): a previous reader that is still alive then finds its consumer
   * gone and gets nothing more, where one of the same name would resume reading the new one. For
   * a process that takes over subjects whose previous reader is known to be gone (or fenced).
   * Default false.
   */
  takeOver?: boolean;
  /**
   * Hand the messages waiting on a subject to the handlers together: when the previous message
   * of the subject settled, the handlers of every message of the subject received meanwhile
   * start at once, in order, without waiting for each other, and each message is acknowledged
   * as soon as its own handlers settled. For handlers that keep the order of their calls
   * themselves — e.g. one that stores each message through a group-committing store, where the
   * writes of one turn commit together, in call order — this takes one commit per batch instead
   * of one per message. A handler that fails is retried on its own (`onHandlerFailure: 'retry'`)
   * while the later messages of its batch go on, so a handler whose failures are not all or
   * nothing across the messages it was handed together may see a later message of the subject
   * succeed before an earlier one. Default false: the next message of a subject waits for the
   * handlers of the previous one.
   */
  pipeline?: boolean;
}

/** Options of `createNatsMessageBus`. */
export interface NatsMessageBusOptions {
  /** A connection from `connect` of `@nats-io/transport-node`; the bus never closes it. */
  connection: NatsConnection;
  /** The JetStream stream; created (file storage, subjects `<subjectPrefix>.>`) when missing. */
  stream: string;
  /** First token(s) of every subject of the bus. Default: the stream name. */
  subjectPrefix?: string;
  /**
   * The subject a message travels on. Default `<subjectPrefix>.<to>` with `to` escaped, so
   * messages to one recipient keep their order. Must start with `<subjectPrefix>.`.
   */
  subjectOf?: (message: BusMessage) => string;
  consumer?: NatsConsumerOptions;
  /**
   * How long `send` keeps trying to publish (the server down, restarting, no JetStream
   * answer) before it rejects with `BUS_UNAVAILABLE`. Retries carry the same `Nats-Msg-Id`, so a
   * publish that reached the server before its answer was lost is stored once. Default 5,000 ms.
   */
  publishTimeoutMs?: number;
  /**
   * When a handler throws or rejects: `'report'` (default) passes the error to `onHandlerError`
   * and acknowledges the message; `'retry'` calls that handler again with backoff until it
   * succeeds, holding later messages of the same subject so their order is kept, and
   * acknowledges the message only once every handler succeeded. In retry mode, once `close()`
   * was called, a message still failing and the ones not yet handled are not acknowledged: the
   * consumer's next reader gets them, in order.
   */
  onHandlerFailure?: 'report' | 'retry';
  /** Called when a handler throws or rejects; defaults to `console.error`. */
  onHandlerError?: (error: unknown, message: BusMessage) => void;
  /** Called for each malformed message on the stream; they are also kept in `deadLetters`. */
  onDeadLetter?: (letter: NatsDeadLetter) => void;
  /** Dead letters kept for `deadLetters`. Default 1,000. */
  deadLetterLimit?: number;
}

interface Subscription {
  handler: BusHandler;
  to: string | undefined;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const NANOS_PER_MS = 1_000_000;
/** Longest wait for one publish acknowledgement before trying again (with the same id). */
const ATTEMPT_TIMEOUT_MS = 2_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Escapes `to` into one subject token: characters outside `[A-Za-z0-9_-]` become `%XX` (UTF-8
 * bytes), so dots, wildcards and spaces in actor ids cannot change the subject's shape.
 */
export function subjectToken(value: string): string {
  return encodeURIComponent(value).replace(
    /[.!~*'()]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function busUnavailable(message: BusMessage, subject: string, cause: unknown): PantheonError {
  return new PantheonError(
    `Publishing a message to "${message.to}" on NATS subject "${subject}" failed: ${errorMessage(cause)}`,
    'BUS_UNAVAILABLE',
    { to: message.to, subject, messageId: message.id },
    { cause },
  );
}

/**
 * A `MessageBus` on NATS JetStream. `send` publishes the message as JSON on its recipient's
 * subject with `Nats-Msg-Id` set to the message id, so the stream stores a re-sent message once
 * (within its duplicate window), and resolves once JetStream stored it. Subscribers get messages
 * from a consumer of the stream: in order per subject (one recipient by default), the next
 * message of a subject only after the handlers of the previous one settled (with
 * `consumer.pipeline`, the messages that waited meanwhile together), and each message is
 * acknowledged only after its handlers settled — a process that dies while handling leaves it to
 * be redelivered. A message on the stream that is not a valid `BusMessage` (published by
 * something else) is terminated and reported as a `NatsDeadLetter`; the consumer goes on.
 *
 * Create one with `createNatsMessageBus`; `close()` stops consuming (and deletes an ephemeral
 * consumer) but leaves the connection open.
 */
export class NatsMessageBus implements MessageBus {
  private readonly subscriptions = new Set<Subscription>();
  private readonly js: JetStreamClient;
  private readonly prefix: string;
  private readonly subjectOf: (message: BusMessage) => string;
  private readonly publishTimeoutMs: number;
  private readonly onHandlerError: (error: unknown, message: BusMessage) => void;
  private readonly letters: BoundedLog<NatsDeadLetter>;
  private readonly chains = new Map<string, Promise<void>>();
  /** With `pipeline`: per subject, the messages waiting for the batch before them. */
  private readonly batches = new Map<string, JsMsg[]>();
  private consuming: Promise<ConsumerMessages> | undefined;
  private ephemeralName: string | undefined;
  private closed = false;
  /** Stream sequences acknowledged or terminated here since the last `trimHandled`. */
  private handled: number[] = [];

  /** Use `createNatsMessageBus`, which makes sure the stream exists. */
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly options: NatsMessageBusOptions,
  ) {
    this.js = jetstream(options.connection);
    this.prefix = options.subjectPrefix ?? options.stream;
    this.subjectOf =
      options.subjectOf ?? ((message) => `${this.prefix}.${subjectToken(message.to)}`);
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.letters = new BoundedLog(options.deadLetterLimit ?? 1_000);
    this.onHandlerError =
      options.onHandlerError ??
      ((error, message) =>
        console.error(
          `[pantheon] NATS message bus handler failed for a message to ${message.to}`,
          error,
        ));
  }

  /**
   * Publishes `message` and resolves once JetStream stored it. A malformed message is a
   * `ConfigError` `INVALID_MESSAGE` (nothing published); a server that cannot be reached within
   * `publishTimeoutMs` is `PantheonError` `BUS_UNAVAILABLE` (the message may be stored or not:
   * sending it again with the same id is safe).
   */
  async send(message: BusMessage): Promise<void> {
    checkBusMessage(message);
    if (this.closed) {
      throw new PantheonError('The NATS message bus is closed', 'BUS_CLOSED', { to: message.to });
    }
    // An ephemeral consumer starts at the first subscribe: publish only once it exists.
    if (this.consuming) await this.consuming;
    const subject = this.subjectOf(message);
    const data = encoder.encode(JSON.stringify(message));
    const msgID = message.id ?? crypto.randomUUID();
    const deadline = Date.now() + this.publishTimeoutMs;
    let delay = 50;
    for (;;) {
      const left = deadline - Date.now();
      try {
        await this.js.publish(subject, data, {
          msgID,
          timeout: Math.min(Math.max(100, left), ATTEMPT_TIMEOUT_MS),
        });
        return;
      } catch (error) {
        if (this.options.connection.isClosed() || Date.now() + delay >= deadline) {
          throw busUnavailable(message, subject, error);
        }
        await pause(delay);
        delay = Math.min(delay * 2, 1_000);
      }
    }
  }

  /**
   * Subscribes `handler` (to every message, or to those for `options.to`); the first
   * subscription starts the consumer. A handler that is not a function is a `ConfigError`
   * `INVALID_ARGUMENT`.
   */
  subscribe(handler: BusHandler, options: SubscribeOptions = {}): () => void {
    requireFunction('MessageBus.subscribe', 'handler', handler);
    const subscription: Subscription = { handler, to: options.to };
    this.subscriptions.add(subscription);
    this.startConsuming();
    return () => {
      this.subscriptions.delete(subscription);
    };
  }

  /**
   * Resolves once the consumer the first `subscribe` started is reading; rejects when it could
   * not be created (then the next `subscribe` tries again). Resolves at once before any
   * subscription.
   */
  async ready(): Promise<void> {
    await this.consuming;
  }

  /** Malformed messages taken off the stream, oldest first (the last `deadLetterLimit`). */
  get deadLetters(): NatsDeadLetter[] {
    return this.letters.last();
  }

  /**
   * Resolves once every message handed to this bus so far has been handled and acknowledged
   * (for tests and orderly shutdown).
   */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }

  /**
   * Stops consuming after the messages being handled are acknowledged; deletes an ephemeral
   * consumer. Later `send`s reject with `BUS_CLOSED`. The connection stays open.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const consuming = this.consuming;
    if (!consuming) return;
    const messages = await consuming.catch(() => undefined);
    await messages?.close().catch(() => undefined);
    await this.settled();
    if (this.ephemeralName && !this.options.connection.isClosed()) {
      await this.jsm.consumers
        .delete(this.options.stream, this.ephemeralName)
        .catch(() => undefined);
    }
  }

  private startConsuming(): void {
    if (this.consuming || this.closed) return;
    this.consuming = this.openConsumer();
    this.consuming.then(
      (messages) => this.pump(messages),
      (error: unknown) => {
        console.error('[pantheon] NATS message bus could not start its consumer', error);
        this.consuming = undefined;
      },
    );
  }

  private async openConsumer(): Promise<ConsumerMessages> {
    const settings = this.options.consumer ?? {};
    const durable = settings.durableName;
    const name = durable ?? `pantheon-${crypto.randomUUID()}`;
    if (!durable) this.ephemeralName = name;
    const filters = this.filters();
    const config: Partial<ConsumerConfig> = {
      name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: durable ? DeliverPolicy.All : DeliverPolicy.New,
      ack_wait: (settings.ackWaitMs ?? 30_000) * NANOS_PER_MS,
      max_ack_pending: settings.maxAckPending ?? 1_000,
      ...(filters.length === 1 ? { filter_subject: filters[0] } : { filter_subjects: filters }),
      ...(durable ? { durable_name: durable } : { inactive_threshold: 5 * 60_000 * NANOS_PER_MS }),
    };
    if (durable && settings.takeOver) await this.replacePredecessors(config, filters);
    await this.jsm.consumers.add(this.options.stream, config);
    const consumer = await this.js.consumers.get(this.options.stream, name);
    return consumer.consume({ max_messages: Math.min(settings.maxAckPending ?? 1_000, 256) });
  }

  /**
   * Deletes the durable consumers reading exactly `filters` and makes `config` start where the
   * least advanced of them is acknowledged (what is above it and was acknowledged comes again:
   * delivery is at least once).
   */
  private async replacePredecessors(
    config: Partial<ConsumerConfig>,
    filters: string[],
  ): Promise<void> {
    const same = (info: ConsumerInfo | null) => {
      // A consumer being deleted meanwhile is listed without its configuration.
      if (!info?.config) return false;
      const theirs = info.config.filter_subjects ?? [info.config.filter_subject ?? ''];
      return (
        info.config.durable_name !== undefined &&
        theirs.length === filters.length &&
        theirs.every((subject) => filters.includes(subject))
      );
    };
    const predecessors: ConsumerInfo[] = [];
    for await (const info of this.jsm.consumers.list(this.options.stream)) {
      if (same(info)) predecessors.push(info as ConsumerInfo);
    }
    if (predecessors.length === 0) return;
    for (const info of predecessors) {
      await this.jsm.consumers.delete(this.options.stream, info.name).catch((error: unknown) => {
        // Deleted meanwhile by another taker: fine; anything else fails the takeover.
        if (!/consumer not found/i.test(errorMessage(error))) throw error;
      });
    }
    config.deliver_policy = DeliverPolicy.StartSequence;
    config.opt_start_seq = Math.min(...predecessors.map((info) => info.ack_floor.stream_seq)) + 1;
  }

  /**
   * Removes from the stream the messages this bus's durable consumer handled (acknowledged, or
   * terminated as dead letters) since the last call: for a consumer that is the only reader of
   * its subjects (a cluster partition's), once what it handled is kept elsewhere; without it the
   * stream keeps every message. Each is deleted by its sequence: in our tests on NATS 2.9, purging
   * the consumer's subject up to its acknowledgement floor under load lost messages it had not
   * read. Resolves how many were removed; one that could not be removed stays in the stream.
   */
  async trimHandled(): Promise<number> {
    if (!this.options.consumer?.durableName) return 0;
    const handled = this.handled;
    this.handled = [];
    let removed = 0;
    for (let start = 0; start < handled.length; start += 100) {
      const deleted = await Promise.all(
        handled
          .slice(start, start + 100)
          .map((seq) =>
            this.jsm.streams.deleteMessage(this.options.stream, seq, false).catch(() => false),
          ),
      );
      removed += deleted.filter(Boolean).length;
    }
    return removed;
  }

  /** The subjects this bus's consumer reads. */
  private filters(): string[] {
    return this.options.consumer?.filterSubjects ?? [`${this.prefix}.>`];
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    for await (const delivered of messages) {
      if (this.closed) {
        // Not handled: the server redelivers it to the consumer's next reader.
        delivered.nak();
        continue;
      }
      this.dispatch(delivered);
    }
  }

  /**
   * Chains the message behind the previous one of its subject; with `pipeline`, behind the
   * batch being handled, in the next batch (see `NatsConsumerOptions.pipeline`).
   */
  private dispatch(delivered: JsMsg): void {
    const subject = delivered.subject;
    if (this.options.consumer?.pipeline) {
      const waiting = this.batches.get(subject);
      if (waiting) {
        waiting.push(delivered);
        return;
      }
      const batch = [delivered];
      this.batches.set(subject, batch);
      this.chain(subject, async () => {
        this.batches.delete(subject);
        await Promise.all(batch.map((message) => this.handle(message)));
      });
      return;
    }
    this.chain(subject, () => this.handle(delivered));
  }

  /** Runs `work` once the work chained on `subject` before it settled. */
  private chain(subject: string, work: () => Promise<void>): void {
    const previous = this.chains.get(subject) ?? Promise.resolve();
    const next = previous.then(work);
    this.chains.set(subject, next);
    next.then(() => {
      if (this.chains.get(subject) === next) this.chains.delete(subject);
    });
  }

  private async handle(delivered: JsMsg): Promise<void> {
    if (this.closed && this.options.onHandlerFailure === 'retry') {
      // Handing the rest over: the consumer's next reader gets them, in order.
      delivered.nak();
      return;
    }
    const message = this.parse(delivered);
    if (!message) return;
    const targets = [...this.subscriptions].filter(
      (subscription) => subscription.to === undefined || subscription.to === message.to,
    );
    const outcomes = await Promise.all(
      targets.map((subscription) => this.run(subscription, message, delivered)),
    );
    // A handler still failing when the bus closed (retry mode): not acknowledged, so the
    // consumer's next reader gets the message.
    if (outcomes.every(Boolean)) {
      delivered.ack();
      this.handled.push(delivered.seq);
    } else delivered.nak();
  }

  /**
   * Runs one handler; with `onHandlerFailure: 'retry'`, until it succeeds or the bus closes.
   * False when it failed in retry mode and gave up (the message must not be acknowledged).
   */
  private async run(
    subscription: Subscription,
    message: BusMessage,
    delivered: JsMsg,
  ): Promise<boolean> {
    let delay = 100;
    for (;;) {
      try {
        await subscription.handler(message);
        return true;
      } catch (error) {
        this.onHandlerError(error, message);
        if (this.options.onHandlerFailure !== 'retry') return true;
        if (this.closed || !this.subscriptions.has(subscription)) return false;
        delivered.working();
        await pause(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  /** The message, or `undefined` after terminating it as a dead letter. */
  private parse(delivered: JsMsg): BusMessage | undefined {
    const data = decoder.decode(delivered.data);
    let reason: string;
    try {
      const message = JSON.parse(data) as BusMessage;
      checkBusMessage(message);
      return message;
    } catch (error) {
      reason = PantheonError.isInstance(error)
        ? error.message
        : `payload is not JSON: ${errorMessage(error)}`;
    }
    const letter: NatsDeadLetter = {
      subject: delivered.subject,
      sequence: delivered.seq,
      data,
      reason,
    };
    this.letters.push(letter);
    delivered.term(reason.slice(0, 200));
    this.handled.push(delivered.seq);
    try {
      this.options.onDeadLetter?.(letter);
    } catch (error) {
      console.error('[pantheon] onDeadLetter threw', error);
    }
    return undefined;
  }
}

/**
 * Connects a `NatsMessageBus` to `options.stream`, creating the stream (file storage, subjects
 * `<subjectPrefix>.>`) when it does not exist.
 *
 * @example
 * import { connect } from '@nats-io/transport-node';
 * import { createNatsMessageBus } from '@promethean-os/pantheon-adapters/nats';
 *
 * const connection = await connect({ servers: 'nats://127.0.0.1:4222' });
 * const messageBus = await createNatsMessageBus({ connection, stream: 'pantheon' });
 * const pantheon = new PantheonSystem({ messageBus, ...otherPorts });
 * // … on shutdown
 * await messageBus.close();
 * await connection.close();
 */
export async function createNatsMessageBus(
  options: NatsMessageBusOptions,
): Promise<NatsMessageBus> {
  const jsm = await jetstreamManager(options.connection);
  const prefix = options.subjectPrefix ?? options.stream;
  try {
    await jsm.streams.info(options.stream);
  } catch {
    await jsm.streams.add({
      name: options.stream,
      subjects: [`${prefix}.>`],
      storage: StorageType.File,
    });
  }
  return new NatsMessageBus(jsm, options);
}
