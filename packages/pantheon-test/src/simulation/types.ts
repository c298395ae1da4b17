import type {
  ActorStatePort,
  BusMessage,
  ContextPort,
  DeadLetter,
  LlmPort,
  MailboxStore,
  PantheonSystem,
  PantheonSystemOptions,
  ToolSpec,
} from '@promethean-os/pantheon-core';
import type { SimulationRandom } from './random';

/**
 * How often each fault strikes. Rates are probabilities per call (model, tool, bus send) or per
 * step (outage, crash, actor removal); 0 turns a fault off.
 */
export interface SimulationFaults {
  /** A model call rejects with `LlmError` `LLM_RATE_LIMIT` (429) or `LLM_SERVER` (500). Default 0.05. */
  llmError: number;
  /** A model call hangs for `hangMs` (or until the tick's signal aborts it). Default 0.01. */
  llmHang: number;
  /** A tool call rejects with `ToolError` `TOOL_FAILED` before it has any effect. Default 0.05. */
  toolError: number;
  /** A tool call hangs for `hangMs` (or until aborted) before it has any effect. Default 0.01. */
  toolHang: number;
  /** `send` on the bus rejects: the message never left. Default 0.03. */
  busDrop: number;
  /** The bus delivers a message twice (a redelivery with the same id). Default 0.05; only with a store. */
  busDuplicate: number;
  /** Per step: the durable store (or, without one, the state and context ports) fails every call for a while. Default 0.03. */
  storeOutage: number;
  /** How long an outage lasts, in virtual milliseconds: up to this. Default 2,000. */
  outageMs: number;
  /** Per step: the process dies without shutdown and a new one starts on the same store. Default 0.03; only with a store. */
  crash: number;
  /** Per step: an actor is removed from the state port while the system runs. Default 0.01. */
  actorRemoval: number;
  /**
   * A database call or bus send takes virtual time (up to a quarter of `maxDelayMs`), so that
   * other steps — a removal, a crash, a stop — can land in the middle of a tick. Default 0.2.
   */
  slowCall: number;
  /** Largest virtual delay of a model call, tool call or bus delivery, in milliseconds. Default 200. */
  maxDelayMs: number;
  /** How long a hang lasts in virtual milliseconds. Default 3,600,000 (an hour: past any tick deadline). */
  hangMs: number;
}

/** The ports of a durable store, as `@promethean-os/pantheon-persistence`'s `Persistence` has them. */
export interface SimulationStore {
  /** The `MailboxStore` handed to `PantheonSystem` as `store`. */
  mailbox: MailboxStore;
  /** The store's own `ActorStatePort` (`mailbox.owns` it). */
  actors: ActorStatePort;
  /** The store's own `ContextPort` (`mailbox.owns` it). */
  context: ContextPort;
}

/** What `setup` gets: the first process's system, and the simulation's random source. */
export interface SimulationSetup {
  system: PantheonSystem;
  random: SimulationRandom;
}

/** A message a simulated user sends: to which actor, and what. */
export interface SimulatedInput {
  to: string;
  content: string;
  /** Continue this conversation; a new one otherwise. */
  conversationId?: string;
}

/** What the message generator sees. */
export interface SimulationInputContext {
  random: SimulationRandom;
  /** How many messages were generated before this one. */
  index: number;
  /** The actors created by `setup`. */
  actors: readonly string[];
  /** Actors spawned by ticks so far (ids), oldest first. */
  spawned: readonly string[];
}

/** One message the simulation saw accepted, and what became of it. */
export interface SimulatedMessage {
  message: BusMessage;
  /** The step at which it was accepted. */
  acceptedAt: number;
  /** How many times a tick handled it to the end (acknowledged, with a store). */
  handled: number;
  /** How many messages ticks sent while handling it (their `metadata.causationId` is its id). */
  answers: number;
  /** Dead-letter reasons it got. */
  deadLetters: DeadLetter['reason'][];
}

/** One call of a tool that ran its `execute`. */
export interface SimulatedToolCall {
  tool: string;
  actorId: string | undefined;
  args: Record<string, unknown>;
  /** The tool's idempotency key, when the runtime gives one (`context.idempotencyKey`). */
  idempotencyKey: string | undefined;
  /** The tool declares `once` (`ToolSpec.once`). */
  once: boolean;
  step: number;
}

/** What an invariant sees after every step. */
export interface SimulationView {
  seed: number;
  step: number;
  /** Virtual time in milliseconds. */
  now: number;
  /** True when the simulation runs on a store. */
  durable: boolean;
  /** True for the last check, after faults stopped and every actor drained its mailbox. */
  final: boolean;
  /** The current process's system. */
  system: PantheonSystem;
  /** The state port without faults: what the actors are now. */
  actors: ActorStatePort;
  /** Every accepted message by id: user sends and actor-to-actor messages. */
  messages: ReadonlyMap<string, SimulatedMessage>;
  /** Dead letters of every process so far. */
  deadLetters: readonly DeadLetter[];
  /** Tool calls that ran, in order. */
  toolCalls: readonly SimulatedToolCall[];
  /** Messages that left the system (targets that are not actors), in order, repeats included. */
  outbound: readonly BusMessage[];
}

/**
 * A property that must hold after every step. `check` returns (or resolves) a description of
 * the violation, or nothing when the property holds; it may also throw.
 */
export interface SimulationInvariant {
  name: string;
  check(view: SimulationView): string | undefined | Promise<string | undefined>;
}

/** Options of `simulate`. */
export interface SimulationOptions {
  /** Chooses every interleaving, delay and fault; the same seed replays the run exactly. */
  seed: number;
  /**
   * Creates the actors (with `system.createActor`). Runs once, on the first process; with a
   * store the actors survive crashes. Actors it does not start are started by the simulation.
   */
  setup(setup: SimulationSetup): Promise<void>;
  /** Random steps to take (sends, time, stops and starts, faults). Default 100. */
  steps?: number;
  /** Fault rates; see `SimulationFaults`. */
  faults?: Partial<SimulationFaults>;
  /** Checked after every step, after the built-in invariants. */
  invariants?: readonly SimulationInvariant[];
  /** The model the actors call, behind the simulated faults. Default: answers `re: <last message>`. */
  llm?: LlmPort;
  /** Tools the actors may call, behind the simulated faults. */
  tools?: readonly ToolSpec[];
  /**
   * Opens the durable store for a process: called at the start and again after every crash,
   * and must return a store over the same database each time (a file, or one in-memory
   * database kept by the caller). Without it the system runs without a store and never crashes.
   */
  store?: () => SimulationStore | Promise<SimulationStore>;
  /** The messages simulated users send. Default: `message <n>` to one of `setup`'s actors. */
  messages?: (context: SimulationInputContext) => SimulatedInput;
  /** Runtime limits and supervision of every process. */
  limits?: PantheonSystemOptions['limits'];
  supervision?: PantheonSystemOptions['supervision'];
  /**
   * The budget of every conversation, and model prices, of every process. With a budget the
   * built-in invariant "budget limit" holds: once a process reported a conversation over its
   * budget (`budget.exceeded`), no tick of that conversation starts in that process.
   */
  budget?: PantheonSystemOptions['budget'];
  prices?: PantheonSystemOptions['prices'];
  /** Steps printed in a failure's trace. Default 25. */
  traceLength?: number;
}

/** What a simulation that held did. */
export interface SimulationReport {
  seed: number;
  steps: number;
  /** Virtual time at the end, in milliseconds. */
  now: number;
  /** Every step and notable event, one line each: the same seed gives the same lines. */
  trace: readonly string[];
  /** Counts of what happened (messages, faults, crashes, …). */
  stats: Readonly<Record<string, number>>;
}
