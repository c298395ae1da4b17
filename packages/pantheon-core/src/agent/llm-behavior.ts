import { BehaviorError, ConfigError, LlmError, PantheonError, ToolError } from '../errors';
import { abortError } from '../orchestrator/abort';
import type { LlmCompleteOptions, LlmOutputSpec } from '../ports/llm-port';
import type { ToolPort } from '../ports/tool-port';
import { MessageSchema } from '../schemas';
import { toolResultContent } from '../tool-result';
import type {
  Behavior,
  BehaviorInput,
  BehaviorMode,
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
      const result = await input.tools.invoke(call.name, call.args, {
        signal: input.signal,
        actorId: input.actor.id,
        toolCallId: call.id,
      });
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

  const behavior: Behavior = {
    name,
    mode: options.mode ?? 'active',
    async plan(input) {
      const tools = resolveTools(toolNames, input.tools, name);
      if (handoff) tools.push(handoff);
      const offered = new Set(tools.map((tool) => tool.name));
      const completeOptions: LlmCompleteOptions = { signal: input.signal };
      if (tools.length > 0) completeOptions.tools = tools;
      if (model !== undefined) completeOptions.model = model;
      if (temperature !== undefined) completeOptions.temperature = temperature;
      if (options.output !== undefined) completeOptions.output = options.output;
      let retriesLeft = outputRetries;

      const transcript: Message[] = [];
      if (system !== undefined) transcript.push({ role: 'system', content: system });
      transcript.push(...input.context);

      for (let step = 0; step < maxSteps; step++) {
        if (input.signal.aborted) throw abortError(input.signal);
        let reply: Message;
        try {
          reply = checkReply(await input.llm.complete([...transcript], completeOptions));
        } catch (error) {
          if (
            !LlmError.isInstance(error) ||
            error.code !== 'LLM_OUTPUT_INVALID' ||
            retriesLeft === 0
          )
            throw error;
          retriesLeft--;
          const content = typeof error.details?.content === 'string' ? error.details.content : '';
          transcript.push({ role: 'assistant', content }, outputRetryMessage(error));
          continue;
        }
        const toolCalls = reply.toolCalls ?? [];
        transcript.push({ ...reply, role: 'assistant' });
        if (toolCalls.length === 0) {
          const answer: MessageAction = { type: 'message', content: reply.content };
          if (target !== undefined) answer.target = target;
          return { actions: [answer] };
        }
        for (const call of toolCalls) {
          if (handoff && call.name === HANDOFF_TOOL_NAME) {
            const outcome = handoffAction(call);
            if (!('role' in outcome)) return { actions: [outcome] };
            transcript.push(outcome);
          } else {
            transcript.push(await runToolCall(call, offered, input));
          }
        }
      }
      throw new BehaviorError(
        `Behavior "${name}" reached its limit of ${maxSteps} model calls without an answer`,
        name,
        { maxSteps, transcript },
        { code: 'MAX_STEPS_EXCEEDED' },
      );
    },
  };
  if (toolNames.length > 0 || handoffs.length > 0) {
    behavior.requires = { tools: [...toolNames], actors: [...handoffActors] };
  }
  if (options.description !== undefined) behavior.description = options.description;
  if (options.priority !== undefined) behavior.priority = options.priority;
  return behavior;
}
