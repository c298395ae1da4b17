import type { ApprovalRequest, BehaviorEvent, ResumeInput } from './approval-types';
import type { LlmPort } from './ports/llm-port';
import type { ToolPort } from './ports/tool-port';

/** Who wrote a message. */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** A model's request to run one tool. */
export interface ToolCall {
  /** Provider-issued id that the matching `tool` message echoes in `toolCallId`. */
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** One message of a conversation, in the shape every port speaks. */
export interface Message {
  role: Role;
  content: string;
  /** Author name; for actor-to-actor messages the sender's actor id. */
  name?: string;
  /** Image URLs or `data:` URLs attached to the message. */
  images?: string[];
  /** Tool calls requested by an `assistant` message. */
  toolCalls?: ToolCall[];
  /** On a `tool` message: the id of the tool call it answers. */
  toolCallId?: string;
  /**
   * On a model reply to a call with `output`: the answer parsed from `content` and validated
   * against the schema (with a zod schema, its parsed value).
   */
  output?: unknown;
  metadata?: Record<string, unknown>;
}

/** Free-form metadata carried by context sources. */
export type SourceMetadata = Record<string, unknown>;

/** Where an actor's context comes from. */
export type ContextSource =
  | { type: 'text'; content: string; metadata?: SourceMetadata }
  | { type: 'url'; url: string; metadata?: SourceMetadata }
  | { type: 'file'; path: string; metadata?: SourceMetadata }
  | NamedContextSource;

/** A named query over stored documents; `where` filters them by metadata. */
export interface NamedContextSource {
  type?: undefined;
  id: string;
  label?: string;
  where?: Record<string, unknown>;
  metadata?: SourceMetadata;
}

/**
 * When a behavior runs: `active` on incoming input, `passive` on loop ticks without input,
 * `persistent` on both.
 */
export type BehaviorMode = 'active' | 'passive' | 'persistent';

/** What a behavior's `plan` receives. */
export interface BehaviorInput {
  /** The actor's goals joined with `'; '`. */
  goal: string;
  /** The compiled context: sources, retrieved documents, history and the input. */
  context: Message[];
  actor: Actor;
  llm: LlmPort;
  tools: ToolPort;
  /** Aborted when the tick is cancelled. */
  signal: AbortSignal;
  /**
   * Present when a caller streams the reply (`PantheonSystem.stream`): report progress through
   * it, awaiting what it returns — a promise while the caller's bounded queue is full, which is
   * how a slow reader holds the behavior back.
   */
  emit?: (event: BehaviorEvent) => void | Promise<void>;
}

/** What a behavior decides to do. */
export interface BehaviorPlan {
  actions: Action[];
  /** `true` marks the actor `completed` after this tick. */
  done?: boolean;
  /**
   * A tool call held back for human approval: the runtime records it as a pending approval and
   * calls `resume` once it is decided. Only for behaviors with a `resume` method.
   */
  awaitApproval?: ApprovalRequest;
}

/**
 * Names a behavior depends on, declared so that `PantheonSystem.createActor` can check them up
 * front instead of every later message failing (`llmBehavior` fills this in).
 */
export interface BehaviorRequirements {
  /** Tools that must be registered in the tool port. */
  tools?: readonly string[];
  /** Actors the behavior sends or hands conversations to. */
  actors?: readonly string[];
}

/** One way an actor reacts; `plan` is always called as a method, so classes keep `this`. */
export interface Behavior {
  name: string;
  description?: string;
  mode: BehaviorMode;
  /** Higher runs first; equal priorities keep declaration order. Default 0. */
  priority?: number;
  /** What the behavior needs; checked when an actor running it is created. */
  requires?: BehaviorRequirements;
  plan(input: BehaviorInput): Promise<BehaviorPlan> | BehaviorPlan;
  /**
   * Carries on after the approval its plan waited for (`awaitApproval`) was decided: called in a
   * later tick of the same actor, with the stored `state` and the decision.
   */
  resume?(input: ResumeInput): Promise<BehaviorPlan> | BehaviorPlan;
}

/** A named group of behaviors. */
export interface Talent {
  name: string;
  description?: string;
  version?: string;
  behaviors: Behavior[];
}

/** What an actor is: its talents and where its context comes from. */
export interface ActorScript {
  name: string;
  description?: string;
  roleName?: string;
  version?: string;
  talents: Talent[];
  contextSources: ContextSource[];
  config?: Record<string, unknown>;
  /**
   * What history the actor remembers: `'conversation'` (the default) keeps one history per
   * conversation, so two users never see each other's messages; `'actor'` keeps one history
   * across every conversation of the actor.
   */
  memory?: 'conversation' | 'actor';
}

/** Lifecycle state of an actor. */
export type ActorState = 'idle' | 'running' | 'paused' | 'completed' | 'failed' | 'stopped';

/** A running instance of a script with its goals. */
export interface Actor {
  id: string;
  script: ActorScript;
  goals: string[];
  name?: string;
  state?: ActorState;
  /** Milliseconds since the epoch (from the injected clock). */
  createdAt?: number;
  updatedAt?: number;
  metadata?: Record<string, unknown>;
}

/** Urgency of a message. */
export type MessagePriority = 'low' | 'normal' | 'high' | 'urgent';

/**
 * Send `content` to `target`. Without a target the message answers the conversation's requester
 * (`'user'` outside a conversation); another actor's id reaches that actor.
 */
export interface MessageAction {
  type: 'message';
  content: string;
  target?: string;
  priority?: MessagePriority;
  /**
   * Added to the sent message's `metadata` (e.g. `reasoning`, see `llmBehavior`'s
   * `shareReasoning`). The tick's own metadata (hops, causation, trace context) wins on a clash.
   */
  metadata?: Record<string, unknown>;
}

/** Invoke a registered tool; `timeout` in milliseconds. */
export interface ToolAction {
  type: 'tool';
  name: string;
  args: Record<string, unknown>;
  timeout?: number;
}

/** Create a child actor running `actor` with `goal`. */
export interface SpawnAction {
  type: 'spawn';
  actor: ActorScript;
  goal: string;
  config?: Record<string, unknown>;
}

/** Pause this actor's plan for `duration` milliseconds (on the Scheduler port). */
export interface WaitAction {
  type: 'wait';
  duration: number;
  reason?: string;
}

/** Read, write or delete an entry of the context port's key/value store. */
export interface ContextAction {
  type: 'context';
  operation: 'read' | 'write' | 'delete';
  target: string;
  data?: unknown;
}

/**
 * Pass the conversation to another actor: the message being handled goes to `target`, which
 * answers the conversation's requester directly. Only valid while handling a message.
 */
export interface HandoffAction {
  type: 'handoff';
  target: string;
  /** Why, for logs and events; not shown to the requester. */
  reason?: string;
}

/** Everything a behavior can ask for. */
export type Action =
  | MessageAction
  | ToolAction
  | SpawnAction
  | WaitAction
  | ContextAction
  | HandoffAction;
export type ActionType = Action['type'];

/** A JSON Schema object (draft 2020-12 or 7); plain object literals are accepted as is. */
export interface JsonSchema {
  type?: string | readonly string[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  description?: string;
  [keyword: string]: unknown;
}

/** A zod schema (zod 4); recognised by its `_zod` internals. */
export interface ZodLikeSchema {
  _zod: unknown;
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: unknown };
}

/** How a tool describes its arguments. */
export type ToolParameters = JsonSchema | ZodLikeSchema;

/** Passed to `ToolSpec.execute` as its second argument. */
export interface ToolExecutionContext {
  /** Aborted on timeout or when the caller gives up; long-running tools should honour it. */
  signal?: AbortSignal;
  /** The actor on whose behalf the tool runs, when known. */
  actorId?: string;
  /**
   * The same for every run of the same call: a tick handling a message gives its tool calls
   * `<message id>:tool:<n>`, so a tick replayed after a crash or a failure passes the keys of the
   * first attempt. Pass it on to services that de-duplicate (e.g. a payment API's idempotency
   * key) to make an effect happen once even when the tool runs again.
   */
  idempotencyKey?: string;
  /** The human approval this call runs under, for tools that need one. */
  approval?: { id: string; by: string };
}

/** Retry settings a tool may declare for callers that retry. */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMs?: number;
}

/** A tool an actor or a model can call. `Args` defaults to `any` so classes can narrow it. */
export interface ToolSpec<Args = any> {
  name: string;
  description: string;
  parameters: ToolParameters;
  execute(args: Args, context?: ToolExecutionContext): unknown;
  /** Default timeout in milliseconds. */
  timeout?: number;
  retryPolicy?: RetryPolicy;
  /**
   * Runs at most once per idempotency key under `PantheonSystem`: the result is recorded as soon
   * as the tool returns (in the durable store when the system has one, else in memory for the
   * message being handled), and a replayed tick gets the recorded result instead of running the
   * tool again. A crash between the tool's effect and the record can still run it twice; pass
   * `context.idempotencyKey` on to the service for that window.
   */
  once?: boolean;
  /**
   * The call needs a person's approval before it runs: `true`, or a function of the arguments
   * deciding per call. `llmBehavior` then holds the call back as a pending approval
   * (`PantheonSystem.approve` / `deny`) instead of running it.
   */
  needsApproval?:
    | boolean
    | ((args: Args, context: ToolExecutionContext) => boolean | Promise<boolean>);
}
