import {
  type ActorStatePort,
  type BusMessage,
  ConfigError,
  type DeadLetter,
  type LlmPort,
  type OrchestratorHooks,
  PantheonSystem,
  type TickInput,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { createMockScheduler } from '../mock-scheduler';
import { createTestClock } from '../test-clock';
import { builtInInvariants, type Observations } from './invariants';
import { memoryContext, memoryState } from './memory-ports';
import { createSimulationRandom } from './random';
import {
  processScheduler,
  SimulatedBus,
  type SimulatedProcess,
  type SimulatedWorld,
  simulatedContext,
  simulatedLlm,
  simulatedState,
  simulatedStore,
  simulatedTools,
  storeCallsSettled,
} from './simulated-ports';
import type {
  SimulatedMessage,
  SimulatedToolCall,
  SimulationFaults,
  SimulationInvariant,
  SimulationOptions,
  SimulationReport,
  SimulationView,
} from './types';

/** The fault rates `simulate` uses for what `faults` leaves out. */
export const DEFAULT_SIMULATION_FAULTS: Readonly<SimulationFaults> = Object.freeze({
  llmError: 0.05,
  llmHang: 0.01,
  toolError: 0.05,
  toolHang: 0.01,
  busDrop: 0.03,
  busDuplicate: 0.05,
  storeOutage: 0.03,
  outageMs: 2_000,
  crash: 0.03,
  actorRemoval: 0.01,
  slowCall: 0.2,
  maxDelayMs: 200,
  hangMs: 3_600_000,
});

const NO_FAULTS: SimulationFaults = {
  ...DEFAULT_SIMULATION_FAULTS,
  llmError: 0,
  llmHang: 0,
  toolError: 0,
  toolHang: 0,
  busDrop: 0,
  busDuplicate: 0,
  storeOutage: 0,
  crash: 0,
  actorRemoval: 0,
};

/**
 * An invariant broke: the error names the seed, the step and the invariant, and its message
 * ends with the last steps of the run. `simulate` with the same options and seed replays it.
 */
export class SimulationFailure extends Error {
  constructor(
    message: string,
    readonly seed: number,
    readonly step: number,
    readonly invariant: string,
    readonly violation: string,
    readonly trace: readonly string[],
  ) {
    super(message);
    this.name = 'SimulationFailure';
  }
}

const echoLlm: LlmPort = {
  async complete(messages) {
    return { role: 'assistant', content: `re: ${messages.at(-1)?.content ?? ''}` };
  },
};

type StepKind = 'send' | 'advance' | 'stop' | 'start' | 'idle' | 'outage' | 'crash' | 'remove';

interface Process extends SimulatedProcess {
  system: PantheonSystem;
  /** Ticks running per actor (from the hooks). */
  ticking: Map<string, number>;
  /** The input of each actor's running tick. */
  inputs: Map<string, TickInput>;
  /** The input of a tick that failed, until its failure event names it. */
  failedInputs: Map<string, TickInput>;
  /** Actors this process started and did not stop (as far as the simulation knows). */
  started: Set<string>;
  /** Virtual time until which an actor waits out a supervision backoff. */
  backoffUntil: Map<string, number>;
  /** `whenIdle()` calls of this process and whether they resolved. */
  idleWaits: Array<{ step: number; resolved: boolean }>;
  /** Start and stop calls not settled yet. */
  operations: number;
  /** Actors with a start or stop call not settled yet. */
  changing: Set<string>;
  /** When each actor's latest tick started (virtual time). */
  tickStartedAt: Map<string, number>;
  /** Conversations this process reported over budget (`budget.exceeded`). */
  overBudget: Set<string>;
}

function checkOptions(options: SimulationOptions): void {
  const issues: string[] = [];
  if (!Number.isInteger(options?.seed)) issues.push('seed must be an integer');
  if (typeof options?.setup !== 'function') issues.push('setup must be a function');
  if (options?.steps !== undefined && !(Number.isInteger(options.steps) && options.steps >= 0)) {
    issues.push('steps must be a non-negative integer');
  }
  for (const [name, rate] of Object.entries(options?.faults ?? {})) {
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
      issues.push(`faults.${name} must be a finite number >= 0`);
    }
  }
  if (issues.length > 0) {
    throw new ConfigError(
      `simulate: ${issues.join('; ')}`,
      { issues },
      { code: 'INVALID_ARGUMENT' },
    );
  }
}

/**
 * Runs a whole multi-actor `PantheonSystem` on virtual time with one seeded random source
 * choosing the interleavings, message delays and faults — model errors and hangs, tool failures
 * and hangs, bus refusals and duplicates, database outages, process crashes with a restart from
 * the durable store, actors removed while they run — and checks invariants after every step:
 * nothing accepted is lost, no message is handled twice or both handled and dead-lettered, each
 * actor handles a sender's messages in order and one at a time, hop and size limits hold,
 * failure events name their message, `whenIdle` resolves once nothing runs; then yours. After
 * the steps the faults stop, every actor is started and the mailboxes drain, and the final
 * check requires every accepted message to be handled or dead-lettered.
 *
 * Resolves a report (with a trace that the same seed reproduces line for line); rejects with
 * `SimulationFailure` — seed, step, invariant and the last steps — when an invariant breaks.
 *
 * @example
 * for (let seed = 1; seed <= 500; seed++) {
 *   await simulate({
 *     seed,
 *     store: () => db, // e.g. openSqlitePersistence({ file: ':memory:', scripts }), opened once
 *     tools: [chargeTool],
 *     setup: async ({ system }) => {
 *       await system.createActor({ id: 'desk', name: 'desk', script: deskScript, goals: ['Help'] });
 *     },
 *     invariants: [{ name: 'never charged twice', check: (view) => … }],
 *   });
 * }
 */
export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  checkOptions(options);
  const { seed } = options;
  const steps = options.steps ?? 100;
  const traceLength = options.traceLength ?? 25;
  const random = createSimulationRandom(seed);
  const clock = createTestClock(0);
  const scheduler = createMockScheduler({ clock });
  const durable = options.store !== undefined;
  const configuredFaults: SimulationFaults = { ...DEFAULT_SIMULATION_FAULTS, ...options.faults };
  const trace: string[] = [];
  const stats: Record<string, number> = {};
  const count = (name: string) => {
    stats[name] = (stats[name] ?? 0) + 1;
  };
  let step = -1;
  const note = (line: string) => {
    trace.push(`#${step} t=${scheduler.now()} ${line}`);
  };

  const messages = new Map<string, SimulatedMessage>();
  const deadLetters: DeadLetter[] = [];
  const toolCalls: SimulatedToolCall[] = [];
  const outbound: BusMessage[] = [];
  const spawned: string[] = [];
  /** Actors of the system as far as the simulation knows: created by setup or spawned. */
  const knownActors = new Set<string>();
  let spawnCount = 0;
  const observations: Observations = {
    violations: [],
    sends: new Map(),
    userOrder: new Map(),
    firstTicks: new Map(),
    leftForActors: [],
    removed: new Set(),
  };
  const violate = (invariant: string, violation: string) =>
    observations.violations.push({ invariant, violation });

  const accept = (message: BusMessage) => {
    const id = message.id as string;
    if (!messages.has(id)) {
      messages.set(id, { message, acceptedAt: step, handled: 0, answers: 0, deadLetters: [] });
    }
  };
  const handled = (messageId: string | undefined, actorId: string) => {
    if (messageId === undefined) return;
    const record = messages.get(messageId);
    if (!record) return;
    record.handled++;
    note(`handled ${messageId} by ${actorId}`);
  };

  /** Runs of `once` tools by idempotency key: in which process, and whether the store recorded it. */
  const onceRuns = new Map<string, { process: number; recorded: boolean }>();
  /** Counts a message a tick sent as an answer to the message it handled. */
  const answered = (message: BusMessage) => {
    const cause = message.metadata?.causationId;
    const record = typeof cause === 'string' ? messages.get(cause) : undefined;
    if (record) record.answers++;
  };

  const world: SimulatedWorld = {
    scheduler,
    random,
    faults: configuredFaults,
    outageUntil: 0,
    nextSpawnId: () => `spawned-${++spawnCount}`,
    onSpawned(id) {
      if (!spawned.includes(id)) spawned.push(id);
      knownActors.add(id);
    },
    onSent(message) {
      const id = message.id as string;
      answered(message);
      // Without a store, actor-to-actor messages travel on the bus: accepted once sent.
      if (!durable && knownActors.has(message.to)) accept(message);
      observations.sends.set(id, (observations.sends.get(id) ?? 0) + 1);
    },
    onCommitted(actorId, messageId, deliver) {
      for (const message of deliver) {
        accept(message);
        answered(message);
      }
      if (messageId !== undefined) handled(messageId, actorId);
    },
    onToolEffectRecorded(key) {
      const run = onceRuns.get(key);
      if (run) run.recorded = true;
    },
    onToolEffect(process, tool, args, context) {
      const key = context.idempotencyKey;
      if (toolSpecs.get(tool)?.once === true && typeof key === 'string') {
        // Once its result is recorded (or while its process remembers it), a once tool does not
        // run again; a crash or outage between the effect and the record is the window left.
        const before = onceRuns.get(key);
        if (before && (before.recorded || before.process === process.index)) {
          violate(
            'a once tool runs once per key',
            `once tool ${tool} ran again with idempotency key ${key}, ${before.recorded ? 'whose result was recorded' : 'in the same process'}`,
          );
        }
        onceRuns.set(key, { process: process.index, recorded: before?.recorded ?? false });
      }
      toolCalls.push({
        tool,
        actorId: typeof context.actorId === 'string' ? context.actorId : undefined,
        args,
        idempotencyKey: typeof key === 'string' ? key : undefined,
        once: toolSpecs.get(tool)?.once === true,
        step,
      });
      count('tool effects');
    },
    note,
  };
  const bus = new SimulatedBus(world, durable);
  const toolSpecs = new Map<string, ToolSpec>(
    (options.tools ?? []).map((tool) => [tool.name, tool]),
  );
  const llm = options.llm ?? echoLlm;

  // Without a store the state and context live in memory, and die with the simulation.
  const inMemoryState = durable ? undefined : memoryState(clock.now);
  const inMemoryContext = durable ? undefined : memoryContext();
  let rawState: ActorStatePort = inMemoryState as ActorStatePort;

  let processCount = 0;
  let current: Process;

  async function boot(): Promise<Process> {
    const index = processCount++;
    const process = { index, alive: true } as Process;
    process.ticking = new Map();
    process.inputs = new Map();
    process.failedInputs = new Map();
    process.started = new Set();
    process.backoffUntil = new Map();
    process.idleWaits = [];
    process.operations = 0;
    process.changing = new Set();
    process.tickStartedAt = new Map();
    process.overBudget = new Set();
    let ids = 0;
    const hooks: OrchestratorHooks = {
      onTickStart({ actor, input }) {
        process.tickStartedAt.set(actor.id, scheduler.now());
        const running = (process.ticking.get(actor.id) ?? 0) + 1;
        process.ticking.set(actor.id, running);
        process.inputs.set(actor.id, input);
        if (running > 1) {
          violate(
            'one tick per actor',
            `actor ${actor.id} started a tick while ${running - 1} ran`,
          );
        }
        observeInput(actor.id, input);
        const conversationId = input.conversationId;
        if (input.messageId !== undefined && conversationId !== undefined) {
          if (process.overBudget.has(conversationId)) {
            violate(
              'budget limit',
              `message ${input.messageId} of conversation ${conversationId} ticks at ${actor.id} after the conversation went over its budget`,
            );
          }
        }
      },
      onTickEnd({ actor, result }) {
        process.ticking.set(actor.id, Math.max(0, (process.ticking.get(actor.id) ?? 1) - 1));
        const input = process.inputs.get(actor.id);
        if (result.state === 'failed' && input) process.failedInputs.set(actor.id, input);
        if (!durable) handled(input?.messageId, actor.id);
      },
      onTickFailed({ actor, input }) {
        process.ticking.set(actor.id, Math.max(0, (process.ticking.get(actor.id) ?? 1) - 1));
        process.failedInputs.set(actor.id, input);
      },
    };
    let system: PantheonSystem;
    const common = {
      toolAdapter: simulatedTools(world, process, toolSpecs),
      llmAdapter: simulatedLlm(world, process, llm),
      messageBus: bus.view(process),
      scheduler: processScheduler(world, process),
      now: clock.now,
      ids: () => `p${index}.${(ids++).toString(36)}`,
      log: () => {},
      hooks,
      limits: options.limits,
      supervision: options.supervision,
      budget: options.budget,
      prices: options.prices,
    };
    if (durable) {
      const store = await options.store!();
      rawState = store.actors;
      const ports = simulatedStore(world, process, store);
      system = new PantheonSystem({
        ...common,
        actorStateAdapter: ports.actors,
        contextAdapter: ports.context,
        store: ports.mailbox,
      });
    } else {
      system = new PantheonSystem({
        ...common,
        actorStateAdapter: simulatedState(world, process, inMemoryState!),
        contextAdapter: simulatedContext(world, process, inMemoryContext!),
      });
    }
    process.system = system;
    system.on('budget.exceeded', ({ conversationId, limit }) => {
      process.overBudget.add(conversationId);
      count('budgets exceeded');
      note(`conversation ${conversationId} over its budget (${limit})`);
    });
    system.on('deadletter', (letter) => {
      deadLetters.push(letter);
      count('dead letters');
      note(`dead letter ${letter.message.id} to ${letter.message.to}: ${letter.reason}`);
      const record = messages.get(letter.message.id as string);
      if (record) record.deadLetters.push(letter.reason);
    });
    system.on('reply', ({ message }) => {
      outbound.push(message);
      observations.leftForActors.push({ message, step });
    });
    system.on('actor.started', ({ actorId }) => note(`started ${actorId}`));
    system.on('actor.stopped', ({ actorId }) => note(`stopped ${actorId}`));
    // A tick cut off at its deadline is abandoned: it runs no further actions and writes
    // nothing, so the actor's next tick may start before the abandoned one has unwound.
    const abandoned = (actorId: string, code: string) => {
      if (code === 'TICK_TIMEOUT') process.ticking.set(actorId, 0);
    };
    system.on('actor.restarted', (event) => {
      abandoned(event.actorId, event.error.code);
      process.backoffUntil.set(event.actorId, scheduler.now() + event.backoffMs);
      note(`restart ${event.actorId} (${event.error.code}) backoff ${event.backoffMs}`);
      count('restarts');
      checkFailureEvent(process, event.actorId, event);
    });
    system.on('actor.failed', (event) => {
      abandoned(event.actorId, event.error.code);
      process.started.delete(event.actorId);
      note(`failed ${event.actorId} (${event.error.code}) after ${event.failures}`);
      count('actors failed');
      checkFailureEvent(process, event.actorId, event);
    });
    return process;
  }

  function observeInput(actorId: string, input: TickInput): void {
    const id = input.messageId;
    if (id === undefined) return;
    const first = observations.firstTicks.get(actorId) ?? [];
    if (!first.includes(id)) first.push(id);
    observations.firstTicks.set(actorId, first);
    const record = messages.get(id);
    if (record && record.handled > 0) {
      violate(
        'one fate per message',
        `message ${id} ticks again at ${actorId} after it was handled`,
      );
    }
    const maxHops = options.limits?.maxHops ?? 16;
    const hops = input.metadata?.hops;
    if (typeof hops === 'number' && hops - 1 > maxHops) {
      violate(
        'hop limit',
        `message ${id} reached ${actorId} after ${hops - 1} hops (maxHops ${maxHops})`,
      );
    }
    const maxBytes = options.limits?.maxMessageBytes ?? 65_536;
    const bytes = new TextEncoder().encode(input.userMessage ?? '').length;
    if (bytes > maxBytes) {
      violate(
        'message size limit',
        `message ${id} of ${bytes} bytes reached ${actorId} (maxMessageBytes ${maxBytes})`,
      );
    }
  }

  function checkFailureEvent(
    process: Process,
    actorId: string,
    event: { messageId?: string; conversationId?: string },
  ): void {
    const input = process.failedInputs.get(actorId);
    process.failedInputs.delete(actorId);
    if (input?.messageId === undefined) return;
    // Which message it names is not checked: a tick abandoned at its deadline may report its end
    // after a later tick started. That it names one is.
    const missing = [
      event.messageId === undefined && 'messageId',
      event.conversationId === undefined && input.conversationId !== undefined && 'conversationId',
    ].filter(Boolean);
    if (missing.length > 0) {
      violate(
        'failure events name their message',
        `a failure event of ${actorId} has no ${missing.join(' and ')}, though the failed tick handled ${input.messageId} in conversation ${input.conversationId}`,
      );
    }
  }

  /** Lets everything that is due now run, and the promise chains it starts settle. */
  const settle = () => scheduler.advance(0);

  /** Moves virtual time until `promise` settles (calls take virtual time), then returns it. */
  async function untilSettled<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const done = promise.finally(() => {
      settled = true;
    });
    done.catch(() => {});
    // Most settle within a few microtasks; only what waits for virtual time needs it to move.
    for (let turns = 0; !settled && turns < 50; turns++) await Promise.resolve();
    for (let rounds = 0; !settled && rounds < 10_000; rounds++) await scheduler.advance(10);
    return done;
  }

  /**
   * Runs an operation without waiting for it. Starts and stops of one actor wait for each other,
   * as a careful operator's would: a `stopActor` that overtakes a slow `startActor` returns at
   * once and leaves the actor running, which is the caller's race, not the runtime's.
   */
  function background(
    process: Process,
    label: string,
    operation: Promise<unknown>,
    actorId?: string,
  ): void {
    process.operations++;
    if (actorId !== undefined) process.changing.add(actorId);
    const done = () => {
      process.operations--;
      if (actorId !== undefined) process.changing.delete(actorId);
    };
    operation.then(
      () => {
        done();
      },
      (error: unknown) => {
        done();
        if (process.alive)
          note(`${label} rejected: ${(error as { code?: string }).code ?? String(error)}`);
      },
    );
  }

  async function startActor(process: Process, id: string): Promise<void> {
    process.started.add(id);
    process.backoffUntil.delete(id);
    background(
      process,
      `start ${id}`,
      process.system.startActor(id).catch((error: unknown) => {
        process.started.delete(id);
        throw error;
      }),
      id,
    );
  }

  function waitIdle(process: Process): void {
    const wait = { step, resolved: false };
    process.idleWaits.push(wait);
    void process.system.whenIdle().then(() => {
      wait.resolved = true;
    });
  }

  async function actorIds(): Promise<string[]> {
    return (await rawState.list()).map((actor) => actor.id);
  }

  // ---- setup ----
  current = await boot();
  await untilSettled(options.setup({ system: current.system, random }));
  const entryActors = await actorIds();
  for (const id of entryActors) knownActors.add(id);
  if (entryActors.length === 0) {
    throw new ConfigError('simulate: setup created no actor', {}, { code: 'INVALID_ARGUMENT' });
  }
  for (const id of entryActors) await startActor(current, id);
  await settle();
  const generate: NonNullable<SimulationOptions['messages']> =
    options.messages ??
    (({ random: r, index, actors }) => ({ to: r.pick(actors), content: `message ${index}` }));
  let inputs = 0;

  const view = (final: boolean): SimulationView => ({
    seed,
    step,
    now: scheduler.now(),
    durable,
    final,
    system: current.system,
    actors: rawState,
    messages,
    deadLetters,
    toolCalls,
    outbound,
  });
  const invariants: SimulationInvariant[] = [
    ...builtInInvariants(observations, () => current, durable, configuredFaults.maxDelayMs),
    {
      // A hung model or tool call is cut off at the tick deadline (and the tick counts as failed).
      name: 'no tick outlives its deadline',
      check({ now }) {
        const deadline = options.limits?.tickTimeoutMs ?? 600_000;
        for (const [actorId, running] of current.ticking) {
          if (running === 0) continue;
          const started = current.tickStartedAt.get(actorId) ?? now;
          if (now - started > deadline + configuredFaults.maxDelayMs) {
            return `a tick of ${actorId} has run for ${now - started} ms, past tickTimeoutMs (${deadline})`;
          }
        }
      },
    },
    ...(options.invariants ?? []),
  ];

  async function check(final: boolean): Promise<void> {
    const seen = view(final);
    const broken = observations.violations.shift();
    let failure = broken;
    if (!failure) {
      for (const invariant of invariants) {
        let violation: string | undefined;
        try {
          // A check that asks the system something may wait for (virtual) database time.
          violation = await untilSettled(Promise.resolve(invariant.check(seen)));
        } catch (error) {
          violation = error instanceof Error ? error.message : String(error);
        }
        if (violation) {
          failure = { invariant: invariant.name, violation };
          break;
        }
      }
    }
    if (!failure) return;
    const last = trace.slice(-traceLength);
    throw new SimulationFailure(
      [
        `Simulation failed at step ${step}${final ? ' (final check)' : ''} with seed ${seed}: ` +
          `invariant "${failure.invariant}" broke: ${failure.violation}`,
        `Replay it with the same options and seed: ${seed}.`,
        `Last ${last.length} trace lines:`,
        ...last.map((line) => `  ${line}`),
      ].join('\n'),
      seed,
      step,
      failure.invariant,
      failure.violation,
      [...trace],
    );
  }

  const weights: Array<[StepKind, number]> = [
    ['send', 10],
    ['advance', 8],
    ['idle', 1],
    ['stop', 1],
    ['start', 2],
  ];
  const totalWeight = weights.reduce((sum, [, weight]) => sum + weight, 0);
  /** This step's faults (each with its rate per step), then one ordinary step. */
  const pickSteps = (): StepKind[] => {
    const kinds: StepKind[] = [];
    if (random.chance(configuredFaults.storeOutage)) kinds.push('outage');
    if (durable && random.chance(configuredFaults.crash)) kinds.push('crash');
    if (random.chance(configuredFaults.actorRemoval)) kinds.push('remove');
    let roll = random.next() * totalWeight;
    for (const [kind, weight] of weights) {
      roll -= weight;
      if (roll < 0) return [...kinds, kind];
    }
    return [...kinds, 'advance'];
  };

  async function crash(): Promise<void> {
    current.alive = false;
    count('crashes');
    note(`crash of process ${current.index}`);
    const previous = current;
    // Its writes already in the database's hands land (or fail) before the next process starts.
    await untilSettled(storeCallsSettled(previous));
    current = await boot();
    for (const id of previous.started) await startActor(current, id);
  }

  async function runStep(kind: StepKind): Promise<void> {
    const process = current;
    switch (kind) {
      case 'send': {
        const input = generate({ random, index: inputs++, actors: entryActors, spawned });
        count('sends');
        const sent = process.system
          .sendMessage(input.to, input.content, { conversationId: input.conversationId })
          .then((id) => {
            const message: BusMessage = {
              id,
              from: 'user',
              to: input.to,
              content: input.content,
              conversationId: input.conversationId,
            };
            accept(message);
            const order = observations.userOrder.get(input.to) ?? [];
            order.push(id);
            observations.userOrder.set(input.to, order);
            note(`send ${id} to ${input.to}: ${input.content.slice(0, 40)}`);
          });
        background(process, `send to ${input.to}`, sent);
        break;
      }
      case 'advance': {
        const ms = random.int(1, configuredFaults.maxDelayMs * 2);
        note(`advance ${ms} ms`);
        await scheduler.advance(ms);
        break;
      }
      case 'idle':
        note('whenIdle()');
        waitIdle(process);
        break;
      case 'stop': {
        const running = [...process.started].filter((id) => !process.changing.has(id));
        if (running.length === 0) return;
        const id = random.pick(running);
        note(`whenIdle(), then stop ${id}`);
        waitIdle(process);
        process.started.delete(id);
        background(process, `stop ${id}`, process.system.stopActor(id), id);
        break;
      }
      case 'start': {
        const stopped = (await actorIds()).filter(
          (id) =>
            !process.started.has(id) && !process.changing.has(id) && !observations.removed.has(id),
        );
        if (stopped.length === 0) return;
        const id = random.pick(stopped);
        note(`start ${id}`);
        await startActor(process, id);
        break;
      }
      case 'outage': {
        const ms = random.int(1, configuredFaults.outageMs);
        world.outageUntil = Math.max(world.outageUntil, scheduler.now() + ms);
        count('outages');
        note(`fault: database outage for ${ms} ms`);
        break;
      }
      case 'crash':
        await crash();
        break;
      case 'remove': {
        const running = [...process.started];
        if (running.length === 0 || !rawState.remove) return;
        const id = random.pick(running);
        observations.removed.add(id);
        count('removals');
        note(`fault: actor ${id} removed`);
        await rawState.remove(id);
        break;
      }
    }
  }

  for (step = 0; step < steps; step++) {
    for (const kind of pickSteps()) {
      await runStep(kind);
      await settle();
    }
    await check(false);
  }

  // ---- heal: no more faults; every actor runs until its mailbox is empty ----
  step = steps;
  world.faults = NO_FAULTS;
  world.outageUntil = 0;
  note('heal: faults stop, every actor starts');
  const horizon = configuredFaults.hangMs + 60_000;
  for (let round = 0; round < 6; round++) {
    for (const id of await actorIds()) {
      if (!current.started.has(id) && !current.changing.has(id)) await startActor(current, id);
    }
    await scheduler.advance(horizon);
    await settle();
  }
  waitIdle(current);
  await scheduler.advance(horizon);
  await check(true);
  return { seed, steps, now: scheduler.now(), trace: [...trace], stats: { ...stats } };
}
