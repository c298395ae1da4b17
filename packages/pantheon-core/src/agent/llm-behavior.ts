import type { ResumeInput } from '../approval-types';
import { BehaviorError, ConfigError, LlmError, PantheonError, ToolError } from '../errors';
import { abortError } from '../orchestrator/abort';
import type { LlmCompleteOptions, LlmOutputSpec } from '../ports/llm-port';
import type { ToolInvokeOptions, ToolPort } from '../ports/tool-port';
import { MessageSchema } from '../schemas';
import { needsApproval } from '../tool-approval';
import { toolResultContent } from '../tool-result';
import type {
  Behavior,
  BehaviorInput,
  BehaviorMode,
  BehaviorPlan,
  HandoffAction,
  Message,
  MessageAction,
  ToolCall,
  ToolSpec,
} from '../types';
import { check, describeIssues } from '../validation';

/** Settings of `llmBehavior`. */
export interface LlmBehaviorOptions {
  name: string;
  /** When the behavior runs. Default `'active'` (on incoming input). */
  mode?: BehaviorMode;
  description?: string;
  priority?: number;
  /** System prompt placed before the compiled context. */
  system?: string;
  /** Names of registered tools the model may call (looked up with `ToolPort.list()`). */
  tools?: string[];
  /** Most model calls per plan. Default 8. */
  maxSteps?: number;
  model?: string;
  temperature?: number;
  /** Who receives the model's answer. Default: the conversation's requester (`'user'` outside one). */
  target?: string;
  /**
   * Actors the model may pass the conversation to. The model is offered a `handoff` tool listing
   * them; calling it ends the plan with a `handoff` action, and the chosen actor answers the
   * requester directly. `PantheonSystem.createActor` checks that they exist.
   */
  handoffs?: ReadonlyArray<string | HandoffTarget>;
  /**
   * Structured output: the model's answer must be JSON matching `output.schema` (passed to the
   * model as `LlmCompleteOptions.output`). The message sent is the model's JSON text. A reply that
   * does not match is fed back to the model with the validation issues and asked for again
   * (`outputRetries` times); after that the plan fails with the `LlmError` `LLM_OUTPUT_INVALID`.
   */
  output?: LlmOutputSpec;
  /** How often a reply that does not match `output` is sent back to the model. Default 1. */
  outputRetries?: number;
  /**
   * Sends the model's reasoning (the reply's `metadata.reasoning`, where the adapter returns it)
   * along with the answer, as the sent message's `metadata.reasoning`. Default `false`: reasoning
   * stays with the actor and never reaches the recipient.
   */
  shareReasoning?: boolean;
}

/** An actor `llmBehavior` may hand conversations to, and when the model should choose it. */
export interface HandoffTarget {
  actor: string;
  description?: string;
}

/** The name of the tool through which the model hands the conversation over. */
export const HANDOFF_TOOL_NAME = 'handoff';

function handoffTool(behaviorName: string, targets: readonly HandoffTarget[]): ToolSpec {
  const list = targets
    .map(({ actor, description }) => (description ? `- ${actor}: ${description}` : `- ${actor}`))
    .join('\n');
  return {
    name: HANDOFF_TOOL_NAME,
    description: `Pass this conversation to another agent, who then answers the requester directly. Call it instead of answering when another agent is the right one. Agents:\n${list}`,
    parameters: {
      type: 'object',
      properties: {
        to: {
          type: 'string',
          enum: targets.map((target) => target.actor),
          description: 'The agent to pass the conversation to',
        },
        reason: { type: 'string', description: 'Why, in a few words' },
      },
      required: ['to'],
      additionalProperties: false,
    },
    execute() {
      // The behavior turns this call into a `handoff` action; nothing runs it as a tool.
      throw new ToolError(
        `The handoff tool of behavior "${behaviorName}" is handled by llmBehavior, not invoked`,
        HANDOFF_TOOL_NAME,
        { behaviorName },
        { code: 'TOOL_FAILED' },
      );
    },
  };
}

function errorContent(error: unknown): string {
  const code = PantheonError.isInstance(error) ? error.code : 'TOOL_FAILED';
  const message = error instanceof Error ? error.message : String(error);
  return `Error (${code}): ${message}`;
}

function resolveTools(names: readonly string[], tools: ToolPort, behaviorName: string): ToolSpec[] {
  if (names.length === 0) return [];
  if (typeof tools.list !== 'function') {
    throw new ConfigError(
      `Behavior "${behaviorName}" names tools, but the tool adapter has no list() method to find them`,
      { behaviorName, tools: [...names] },
    );
  }
  const registered = tools.list();
  return names.map((name) => {
    const tool = registered.find((candidate) => candidate.name === name);
    if (!tool) {
      throw new ToolError(
        `Behavior "${behaviorName}" offers tool "${name}", which is not registered`,
        name,
        { behaviorName },
        { code: 'TOOL_NOT_FOUND' },
      );
    }
    return tool;
  });
}

/** Where an `llmBehavior` loop stands: stored with a pending approval, handed back to `resume`. */
interface LoopState {
  transcript: Message[];
  /** Model calls made so far. */
  step: number;
  /** Tool calls of the model's last reply still to run, in order. */
  calls: ToolCall[];
}

/** The stored loop state, checked: a malformed one (e.g. edited in the database) is a typed error. */
function loopState(state: unknown, behaviorName: string): LoopState {
  const loop = state as Partial<LoopState> | null;
  if (
    typeof loop !== 'object' ||
    loop === null ||
    !Array.isArray(loop.transcript) ||
    !Array.isArray(loop.calls) ||
    typeof loop.step !== 'number'
  ) {
    throw new BehaviorError(
      `Behavior "${behaviorName}" cannot resume: its stored state is not an llmBehavior loop`,
      behaviorName,
      undefined,
      { code: 'INVALID_ACTION' },
    );
  }
  return { transcript: [...loop.transcript], step: loop.step, calls: [...loop.calls] };
}

/** A reasoning event of a provider's stream, where the model streams its thinking. */
function isReasoningDelta(event: { type: string }): event is { type: string; delta: string } {
  return (
    event.type === 'reasoning-delta' && typeof (event as { delta?: unknown }).delta === 'string'
  );
}

/** Adds a tool message to the transcript and tells a streaming caller about it. */
async function record(input: BehaviorInput, transcript: Message[], message: Message) {
  transcript.push(message);
  if (input.emit) {
    await input.emit({
      type: 'tool-result',
      toolCallId: message.toolCallId ?? '',
      name: message.name ?? '',
      content: message.content,
      isError: message.metadata?.isError === true,
    });
  }
}

/** The message that sends a reply not matching the output schema back to the model. */
function outputRetryMessage(error: LlmError): Message {
  const issues = Array.isArray(error.details?.issues)
    ? (error.details.issues as { path: string; message: string }[])
    : [];
  const list = issues.map((issue) => `- ${issue.path}: ${issue.message}`).join('\n');
  return {
    role: 'user',
    content: `Your reply does not match the required output format:\n${list}\nAnswer again with JSON that matches the schema.`,
    metadata: { outputRetry: true },
  };
}

function checkReply(reply: unknown): Message {
  const checked = check<Message>(MessageSchema, reply, 'reply');
  if (!checked.ok) {
    throw new LlmError(
      `The model adapter returned a malformed message: ${describeIssues(checked.issues)}`,
      { issues: checked.issues },
      { code: 'LLM_INVALID_RESPONSE', retryable: false },
    );
  }
  return checked.value;
}

/**
 * A behavior that lets the model decide: it sends the system prompt and the compiled context to
 * `input.llm`, offering the named tools; runs each tool call the model asks for through
 * `input.tools.invoke` and feeds the result back (a failing tool comes back as
 * `Error (CODE): message`, so the model may recover); and repeats until the model answers with text,
 * which becomes one `message` action to `target` (by default the conversation's requester). With
 * `handoffs`, the model may instead pass the conversation to one of those actors (a `handoff`
 * action), which then answers the requester. More than `maxSteps` model calls is a
 * `BehaviorError` with code `MAX_STEPS_EXCEEDED` and the transcript so far in
 * `details.transcript`. The model can only call the tools it was offered.
 *
 * @example
 * const assistant = llmBehavior({
 *   name: 'answer',
 *   system: 'You are a helpful weather assistant.',
 *   tools: ['get-weather'],
 * });
 * const talent: Talent = { name: 'weather', behaviors: [assistant] };
 */
export function llmBehavior(options: LlmBehaviorOptions): Behavior {
  const { name, system, model, temperature, target } = options;
  const toolNames = options.tools ?? [];
  const handoffs = (options.handoffs ?? []).map((entry) =>
    typeof entry === 'string' ? { actor: entry } : entry,
  );
  if (handoffs.length > 0 && toolNames.includes(HANDOFF_TOOL_NAME)) {
    throw new ConfigError(
      `llmBehavior "${name}": a tool named "${HANDOFF_TOOL_NAME}" clashes with its handoffs`,
      { behaviorName: name },
    );
  }
  const handoff = handoffs.length > 0 ? handoffTool(name, handoffs) : undefined;
  const handoffActors = new Set(handoffs.map((entry) => entry.actor));
  const maxSteps = options.maxSteps ?? 8;
  const outputRetries = options.outputRetries ?? 1;
  if (!Number.isInteger(outputRetries) || outputRetries < 0) {
    throw new ConfigError(`llmBehavior "${name}": outputRetries must be a non-negative integer`, {
      behaviorName: name,
      outputRetries,
    });
  }
  if (options.shareReasoning !== undefined && typeof options.shareReasoning !== 'boolean') {
    throw new ConfigError(`llmBehavior "${name}": shareReasoning must be a boolean`, {
      behaviorName: name,
      shareReasoning: options.shareReasoning,
    });
  }
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new ConfigError(`llmBehavior "${name}": maxSteps must be a positive integer`, {
      behaviorName: name,
      maxSteps,
    });
  }

  async function runToolCall(
    call: ToolCall,
    offered: ReadonlySet<string>,
    input: BehaviorInput,
    approval?: { id: string; by: string },
  ): Promise<Message> {
    const reply: Message = { role: 'tool', content: '', toolCallId: call.id, name: call.name };
    try {
      if (!offered.has(call.name)) {
        throw new ToolError(
          `Tool "${call.name}" was not offered to the model`,
          call.name,
          { behaviorName: name },
          { code: 'TOOL_NOT_FOUND' },
        );
      }
      const invokeOptions: ToolInvokeOptions = {
        signal: input.signal,
        actorId: input.actor.id,
        toolCallId: call.id,
      };
      if (approval) invokeOptions.approval = approval;
      const result = await input.tools.invoke(call.name, call.args, invokeOptions);
      reply.content = toolResultContent(result);
    } catch (error) {
      if (input.signal.aborted) throw abortError(input.signal);
      reply.content = errorContent(error);
      reply.metadata = { isError: true };
    }
    return reply;
  }

  /** The hand-off the model asked for, or a tool message saying why it cannot be done. */
  function handoffAction(call: ToolCall): HandoffAction | Message {
    const to = call.args.to;
    if (typeof to === 'string' && handoffActors.has(to)) {
      const action: HandoffAction = { type: 'handoff', target: to };
      if (typeof call.args.reason === 'string') action.reason = call.args.reason;
      return action;
    }
    const refused = new BehaviorError(
      `"${String(to)}" is not one of the agents you can hand off to (${[...handoffActors].join(', ')})`,
      name,
      { to },
      { code: 'INVALID_ACTION' },
    );
    return {
      role: 'tool',
      content: errorContent(refused),
      toolCallId: call.id,
      name: call.name,
      metadata: { isError: true },
    };
  }

  /** The tools of this plan: the named ones (as the port lists them) and the hand-off tool. */
  function planTools(input: BehaviorInput): { tools: ToolSpec[]; options: LlmCompleteOptions } {
    const tools = resolveTools(toolNames, input.tools, name);
    if (handoff) tools.push(handoff);
    const completeOptions: LlmCompleteOptions = { signal: input.signal };
    if (tools.length > 0) completeOptions.tools = tools;
    if (model !== undefined) completeOptions.model = model;
    if (temperature !== undefined) completeOptions.temperature = temperature;
    if (options.output !== undefined) completeOptions.output = options.output;
    return { tools, options: completeOptions };
  }

  /**
   * The model's next reply; streamed when the caller streams (`input.emit`) and the model can,
   * each text or reasoning delta passed on as it arrives — awaited, so a slow reader holds the
   * model's stream back instead of piling deltas up.
   */
  async function nextReply(
    input: BehaviorInput,
    transcript: readonly Message[],
    completeOptions: LlmCompleteOptions,
  ): Promise<Message> {
    const emit = input.emit;
    if (!emit || typeof input.llm.stream !== 'function') {
      return checkReply(await input.llm.complete([...transcript], completeOptions));
    }
    let final: unknown;
    for await (const event of input.llm.stream([...transcript], completeOptions)) {
      if (event.type === 'text-delta') await emit({ type: 'text-delta', delta: event.delta });
      else if (event.type === 'finish') final = event.message;
      else if (isReasoningDelta(event)) await emit({ type: 'reasoning-delta', delta: event.delta });
    }
    if (final === undefined) {
      throw new LlmError(
        'The model stream ended without a finish event',
        { behaviorName: name },
        { code: 'LLM_INVALID_RESPONSE', retryable: false },
      );
    }
    return checkReply(final);
  }

  /**
   * The loop from wherever it stands: runs the calls still waiting from the model's last reply,
   * then asks the model again, until it answers, hands off, runs out of steps, or calls a tool
   * that needs approval — then the plan holds that call back with the loop's state.
   */
  async function proceed(input: BehaviorInput, loop: LoopState): Promise<BehaviorPlan> {
    const { tools, options: completeOptions } = planTools(input);
    const offered = new Set(tools.map((tool) => tool.name));
    const { transcript } = loop;
    let retriesLeft = outputRetries;
    for (;;) {
      while (loop.calls.length > 0) {
        const call = loop.calls.shift() as ToolCall;
        if (input.emit) await input.emit({ type: 'tool-call', toolCall: call });
        if (handoff && call.name === HANDOFF_TOOL_NAME) {
          const outcome = handoffAction(call);
          if (!('role' in outcome)) return { actions: [outcome] };
          await record(input, transcript, outcome);
          continue;
        }
        const spec = tools.find((tool) => tool.name === call.name);
        if (
          spec &&
          (await needsApproval(spec, call.args, { signal: input.signal, actorId: input.actor.id }))
        ) {
          return { actions: [], awaitApproval: { toolCall: call, state: { ...loop } } };
        }
        await record(input, transcript, await runToolCall(call, offered, input));
      }
      if (loop.step >= maxSteps) {
        throw new BehaviorError(
          `Behavior "${name}" reached its limit of ${maxSteps} model calls without an answer`,
          name,
          { maxSteps, transcript },
          { code: 'MAX_STEPS_EXCEEDED' },
        );
      }
      if (input.signal.aborted) throw abortError(input.signal);
      loop.step++;
      let reply: Message;
      try {
        reply = await nextReply(input, transcript, completeOptions);
      } catch (error) {
        // A reply that breaks the output schema goes back to the model with the issues.
        if (!LlmError.isInstance(error) || error.code !== 'LLM_OUTPUT_INVALID' || retriesLeft === 0)
          throw error;
        retriesLeft--;
        const content = typeof error.details?.content === 'string' ? error.details.content : '';
        transcript.push({ role: 'assistant', content }, outputRetryMessage(error));
        continue;
      }
      transcript.push({ ...reply, role: 'assistant' });
      if (!reply.toolCalls || reply.toolCalls.length === 0) {
        const answer: MessageAction = { type: 'message', content: reply.content };
        if (target !== undefined) answer.target = target;
        const reasoning = reply.metadata?.reasoning;
        if (options.shareReasoning === true && typeof reasoning === 'string' && reasoning !== '') {
          answer.metadata = { reasoning };
        }
        return { actions: [answer] };
      }
      loop.calls = [...reply.toolCalls];
    }
  }

  /** The outcome of an approval as the tool message the model sees. */
  async function decided(input: ResumeInput, offered: ReadonlySet<string>): Promise<Message> {
    const { approval } = input;
    const call = approval.toolCall;
    if (approval.decision === 'approved') {
      return runToolCall(call, offered, input, { id: approval.approvalId, by: approval.by ?? '' });
    }
    const why = approval.reason === undefined ? '' : `: ${approval.reason}`;
    const refusal =
      approval.decision === 'expired'
        ? new ToolError(
            `The call of tool "${call.name}" was not approved in time${why}`,
            call.name,
            { approvalId: approval.approvalId },
            { code: 'APPROVAL_EXPIRED' },
          )
        : new ToolError(
            `The call of tool "${call.name}" was denied${approval.by ? ` by ${approval.by}` : ''}${why}`,
            call.name,
            { approvalId: approval.approvalId },
            { code: 'APPROVAL_DENIED' },
          );
    return {
      role: 'tool',
      content: errorContent(refusal),
      toolCallId: call.id,
      name: call.name,
      metadata: { isError: true },
    };
  }

  const behavior: Behavior = {
    name,
    mode: options.mode ?? 'active',
    plan(input) {
      const transcript: Message[] = [];
      if (system !== undefined) transcript.push({ role: 'system', content: system });
      transcript.push(...input.context);
      return proceed(input, { transcript, step: 0, calls: [] });
    },
    async resume(input) {
      const loop = loopState(input.state, name);
      const offered = new Set(planTools(input).tools.map((tool) => tool.name));
      await record(input, loop.transcript, await decided(input, offered));
      return proceed(input, loop);
    },
  };
  if (toolNames.length > 0 || handoffs.length > 0) {
    behavior.requires = { tools: [...toolNames], actors: [...handoffActors] };
  }
  if (options.description !== undefined) behavior.description = options.description;
  if (options.priority !== undefined) behavior.priority = options.priority;
  return behavior;
}
