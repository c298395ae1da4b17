import {
  type ActorStatePort,
  type ApprovalRecord,
  type BusHandler,
  type BusMessage,
  type ContextPort,
  LlmError,
  type LlmPort,
  type MailboxStore,
  type MessageBus,
  type Scheduler,
  type SubscribeOptions,
  type TickTransaction,
  ToolError,
  type ToolPort,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { NEVER_ABORTED, sleep } from '@promethean-os/pantheon-core/adapter-kit';
import type { MockScheduler } from '../mock-scheduler';
import type { SimulationRandom } from './random';
import type { SimulationFaults, SimulationStore } from './types';

/** One process of the simulation: everything it was handed goes dead when it crashes. */
export interface SimulatedProcess {
  readonly index: number;
  alive: boolean;
}

/** Never settles: what a call of a dead process looks like from anywhere. */
const NEVER = new Promise<never>(() => {});

/** Runs `call` for a live process; a dead process's calls, and their answers, never arrive. */
export function fenced<T>(process: SimulatedProcess, call: () => Promise<T>): Promise<T> {
  if (!process.alive) return NEVER;
  return call().then(
    (value) => (process.alive ? value : NEVER),
    (error: unknown) => (process.alive ? Promise.reject(error) : NEVER),
  );
}

/** What the simulated ports share: time, randomness, faults, and where they report. */
export interface SimulatedWorld {
  readonly scheduler: MockScheduler;
  readonly random: SimulationRandom;
  faults: SimulationFaults;
  /** Virtual time until which the store fails every call. */
  outageUntil: number;
  /** The id a spawn without one gets (deterministic, unlike a store's UUIDs). */
  nextSpawnId(): string;
  onSpawned(id: string): void;
  onSent(message: BusMessage): void;
  onCommitted(actorId: string, messageId: string | undefined, deliver: readonly BusMessage[]): void;
  onToolEffect(
    process: SimulatedProcess,
    tool: string,
    args: Record<string, unknown>,
    context: Record<string, unknown>,
  ): void;
  /** The store recorded the result of a `once` tool call. */
  onToolEffectRecorded(key: string): void;
  note(line: string): void;
}

/** The scheduler a process sees: its jobs stop running once it died. */
export function processScheduler(world: SimulatedWorld, process: SimulatedProcess): Scheduler {
  const guard = (job: () => void | Promise<void>) => () => (process.alive ? job() : undefined);
  return {
    once: (ms, job) => world.scheduler.once(ms, guard(job)),
    every: (ms, job) => world.scheduler.every(ms, guard(job)),
  };
}

/**
 * Most database calls and sends start at once; a `slowCall` share of them waits a while first.
 * A process that died meanwhile never gets to make the call: a dead process has no effects.
 */
async function maybeSlow(world: SimulatedWorld, process: SimulatedProcess): Promise<void> {
  if (!world.random.chance(world.faults.slowCall)) return;
  const ms = world.random.int(1, Math.max(1, Math.floor(world.faults.maxDelayMs / 4)));
  await new Promise<void>((resolve) => world.scheduler.once(ms, () => resolve()));
  if (!process.alive) await NEVER;
}

function delay(world: SimulatedWorld, signal: AbortSignal | undefined): Promise<void> {
  const ms = world.random.int(0, world.faults.maxDelayMs);
  return sleep(world.scheduler, ms, signal ?? NEVER_ABORTED);
}

/** A model behind faults: each call takes a random virtual delay, may fail with 429/500, or hang. */
export function simulatedLlm(
  world: SimulatedWorld,
  process: SimulatedProcess,
  inner: LlmPort,
): LlmPort {
  return {
    complete: (messages, options) =>
      fenced(process, async () => {
        await delay(world, options?.signal);
        const { faults, random } = world;
        if (random.chance(faults.llmError)) {
          const status = random.chance(0.5) ? 429 : 500;
          world.note(`fault: model ${status}`);
          throw new LlmError(
            `Simulated model failure (${status})`,
            {},
            {
              code: status === 429 ? 'LLM_RATE_LIMIT' : 'LLM_SERVER',
              status,
              provider: 'simulation',
            },
          );
        }
        if (random.chance(faults.llmHang)) {
          world.note('fault: model hangs');
          await sleep(world.scheduler, faults.hangMs, options?.signal ?? NEVER_ABORTED);
          throw new LlmError(
            'Simulated model call hung and timed out',
            {},
            {
              code: 'LLM_TIMEOUT',
              provider: 'simulation',
            },
          );
        }
        return inner.complete(messages, options);
      }),
  };
}

/** The tools behind faults: a random delay, then maybe a failure or a hang, then `execute`. */
export function simulatedTools(
  world: SimulatedWorld,
  process: SimulatedProcess,
  specs: ReadonlyMap<string, ToolSpec>,
): ToolPort {
  const registered = new Map(specs);
  return {
    register(tool) {
      registered.set(tool.name, tool);
    },
    list: () => [...registered.values()],
    unregister: (name) => registered.delete(name),
    invoke: (name, args, options = {}) =>
      fenced(process, async () => {
        const spec = registered.get(name);
        if (!spec) {
          throw new ToolError(`Tool "${name}" not found`, name, undefined, {
            code: 'TOOL_NOT_FOUND',
          });
        }
        await delay(world, options.signal);
        const { faults, random } = world;
        if (random.chance(faults.toolError)) {
          world.note(`fault: tool ${name} fails`);
          throw new ToolError('Simulated tool failure', name, undefined, { code: 'TOOL_FAILED' });
        }
        if (random.chance(faults.toolHang)) {
          world.note(`fault: tool ${name} hangs`);
          await sleep(world.scheduler, faults.hangMs, options.signal ?? NEVER_ABORTED);
          throw new ToolError('Simulated tool call hung and timed out', name, undefined, {
            code: 'TOOL_TIMEOUT',
          });
        }
        if (!process.alive) await NEVER;
        // Whatever the runtime puts into the tool's context (an idempotency key, …) is passed on.
        const context: Record<string, unknown> = { ...options };
        const result = await spec.execute(args, context);
        world.onToolEffect(process, name, args, context);
        return result;
      }),
  };
}

interface Subscriber {
  process: SimulatedProcess;
  handler: BusHandler;
  to: string | undefined;
}

/**
 * A broker outside every process: messages keep their order per sender and recipient, arrive
 * after a random delay, may be refused (`send` rejects) or delivered twice, and a delivery a
 * subscriber rejects is retried (at least once, like a broker that waits for an ack).
 */
export class SimulatedBus {
  private readonly subscribers = new Set<Subscriber>();
  private readonly lastDue = new Map<string, number>();

  constructor(
    private readonly world: SimulatedWorld,
    private readonly duplicates: boolean,
  ) {}

  /** The bus as `process` sees it. */
  view(process: SimulatedProcess): MessageBus {
    return {
      send: (message) => fenced(process, () => this.send(message, process)),
      subscribe: (handler, options?: SubscribeOptions) => {
        const subscriber = { process, handler, to: options?.to };
        this.subscribers.add(subscriber);
        return () => {
          this.subscribers.delete(subscriber);
        };
      },
    };
  }

  private async send(message: BusMessage, process: SimulatedProcess): Promise<void> {
    const { world } = this;
    await maybeSlow(world, process);
    if (world.random.chance(world.faults.busDrop)) {
      world.note(`fault: bus refuses ${message.id}`);
      throw new Error('Simulated bus failure: the message was not sent');
    }
    world.onSent(message);
    const pair = `${message.from}\u0000${message.to}`;
    const now = world.scheduler.now();
    const due = Math.max(
      this.lastDue.get(pair) ?? 0,
      now + world.random.int(0, world.faults.maxDelayMs),
    );
    this.lastDue.set(pair, due);
    this.schedule(message, due - now, 0);
    if (this.duplicates && world.random.chance(world.faults.busDuplicate)) {
      world.note(`fault: bus duplicates ${message.id}`);
      this.schedule(message, due - now + world.random.int(0, world.faults.maxDelayMs), 0);
    }
  }

  private schedule(message: BusMessage, ms: number, attempt: number): void {
    // Fire and forget: a job that returned the delivery would keep the scheduler waiting on it.
    this.world.scheduler.once(ms, () => {
      for (const subscriber of this.subscribers) {
        if (!subscriber.process.alive) continue;
        if (subscriber.to !== undefined && subscriber.to !== message.to) continue;
        this.deliver(subscriber, message, attempt);
      }
    });
  }

  private deliver(subscriber: Subscriber, message: BusMessage, attempt: number): void {
    let result: void | Promise<void>;
    try {
      result = subscriber.handler(message);
    } catch {
      return;
    }
    Promise.resolve(result).catch(() => {
      if (!subscriber.process.alive || attempt >= 20) return;
      this.world.note(`bus redelivers ${message.id}`);
      this.world.scheduler.once(100 * 2 ** Math.min(attempt, 6), () => {
        if (this.subscribers.has(subscriber)) this.deliver(subscriber, message, attempt + 1);
      });
    });
  }
}

/** Every method of `port` (own and inherited), called through `call`. */
function wrapMethods<T extends object>(
  port: T,
  call: (method: string, run: () => Promise<unknown>) => Promise<unknown>,
  skip: readonly string[] = [],
): T {
  const wrapped: Record<string, unknown> = {};
  const names = new Set<string>();
  for (let proto: object | null = port; proto && proto !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  for (const name of names) {
    const value = (port as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof value !== 'function' || skip.includes(name)) continue;
    wrapped[name] = (...args: unknown[]) =>
      call(name, () => (value as (...args: unknown[]) => Promise<unknown>).apply(port, args));
  }
  return wrapped as T;
}

function outageError(): Error {
  return new Error('Simulated database outage: connection refused');
}

/** Each process's store calls that reached the database and have not settled yet. */
const inFlight = new WeakMap<SimulatedProcess, Set<Promise<unknown>>>();

/**
 * Resolves once every store call of `process` that reached the database has settled. A crash
 * waits for it before the next process opens the store: what a dying process handed to the
 * database lands (or fails) then, never after its successor read the store — a write landing
 * later would be a zombie writer, which only a lease fence (a cluster's) keeps out.
 */
export async function storeCallsSettled(process: SimulatedProcess): Promise<void> {
  await Promise.allSettled(inFlight.get(process) ?? []);
}

/** Port calls of a live process that fail while the database is out. */
function storeCall(world: SimulatedWorld, process: SimulatedProcess) {
  return (_method: string, run: () => Promise<unknown>) =>
    fenced(process, async () => {
      await maybeSlow(world, process);
      if (world.scheduler.now() < world.outageUntil) throw outageError();
      const calls = inFlight.get(process) ?? new Set();
      inFlight.set(process, calls);
      const call = run();
      calls.add(call);
      return call.finally(() => calls.delete(call));
    });
}

/** A state port behind outages, whose spawns get deterministic ids. */
export function simulatedState(
  world: SimulatedWorld,
  process: SimulatedProcess,
  state: ActorStatePort,
): ActorStatePort {
  const call = storeCall(world, process);
  const wrapped = wrapMethods(state, call, ['spawn']);
  wrapped.spawn = (script, goal, options = {}) =>
    call('spawn', async () => {
      const actor = await state.spawn(script, goal, {
        ...options,
        id: options.id ?? world.nextSpawnId(),
      });
      world.onSpawned(actor.id);
      return actor;
    }) as ReturnType<ActorStatePort['spawn']>;
  return wrapped;
}

/** A context port behind outages. */
export function simulatedContext(
  world: SimulatedWorld,
  process: SimulatedProcess,
  context: ContextPort,
): ContextPort {
  return wrapMethods(context, storeCall(world, process));
}

/** The ports of a store as one process sees them: outages, fencing, commits reported. */
export function simulatedStore(
  world: SimulatedWorld,
  process: SimulatedProcess,
  store: SimulationStore,
): SimulationStore {
  const call = storeCall(world, process);
  const actors = simulatedState(world, process, store.actors);
  const context = simulatedContext(world, process, store.context);
  const mailbox: MailboxStore = {
    enqueue: (message) => call('enqueue', () => store.mailbox.enqueue(message)) as Promise<boolean>,
    pending: () => call('pending', () => store.mailbox.pending()) as Promise<BusMessage[]>,
    unpublished: () =>
      call('unpublished', () => store.mailbox.unpublished()) as Promise<BusMessage[]>,
    markPublished: (ids) =>
      call('markPublished', () => store.mailbox.markPublished(ids)) as Promise<void>,
    owns: (port) => port === actors || port === context || store.mailbox.owns(port),
    approvals: () =>
      call('approvals', () => store.mailbox.approvals()) as Promise<ApprovalRecord[]>,
    approval: (id) =>
      call('approval', () => store.mailbox.approval(id)) as Promise<ApprovalRecord | undefined>,
    decideApproval: (id, decision, message) =>
      call('decideApproval', () =>
        store.mailbox.decideApproval(id, decision, message),
      ) as Promise<boolean>,
    ...(store.mailbox.toolEffect && {
      toolEffect: (key: string) =>
        call('toolEffect', () => store.mailbox.toolEffect!(key)) as Promise<
          { result: unknown } | undefined
        >,
    }),
    ...(store.mailbox.recordToolEffect && {
      recordToolEffect: (key: string, result: unknown) =>
        call('recordToolEffect', async () => {
          await store.mailbox.recordToolEffect!(key, result);
          world.onToolEffectRecorded(key);
        }) as Promise<void>,
    }),
    beginTick(actorId) {
      const transaction = store.mailbox.beginTick(actorId);
      const tick: TickTransaction = {
        state: simulatedState(world, process, transaction.state),
        context: simulatedContext(world, process, transaction.context),
        commit: (messageId, deliver, publish) =>
          call('commit', async () => {
            await transaction.commit(messageId, deliver, publish);
            world.onCommitted(actorId, messageId, deliver);
          }) as Promise<void>,
        abort: () => transaction.abort(),
        requestApproval: (approval) => transaction.requestApproval(approval),
        settleApproval: (id) => transaction.settleApproval(id),
      };
      return tick;
    },
  };
  return { mailbox, actors, context };
}
