import { BehaviorError, ConfigError, LlmError, PantheonError, ToolError } from '../errors';
import { abortError } from '../orchestrator/abort';
import type { LlmCompleteOptions } from '../ports/llm-port';
import type { ToolPort } from '../ports/tool-port';
import { MessageSchema } from '../schemas';
import { toolResultContent } from '../tool-result';
import type { Behavior, BehaviorInput, BehaviorMode, Message, ToolCall, ToolSpec } from '../types';
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
  /** Who receives the model's answer. Default `'user'`. */
  target?: string;
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
 * which becomes one `message` action to `target`. More than `maxSteps` model calls is a
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
  const { name, system, model, temperature, target = 'user' } = options;
  const toolNames = options.tools ?? [];
  const maxSteps = options.maxSteps ?? 8;
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
      });
      reply.content = toolResultContent(result);
    } catch (error) {
      if (input.signal.aborted) throw abortError(input.signal);
      reply.content = errorContent(error);
      reply.metadata = { isError: true };
    }
    return reply;
  }

  const behavior: Behavior = {
    name,
    mode: options.mode ?? 'active',
    async plan(input) {
      const tools = resolveTools(toolNames, input.tools, name);
      const offered = new Set(tools.map((tool) => tool.name));
      const completeOptions: LlmCompleteOptions = { signal: input.signal };
      if (tools.length > 0) completeOptions.tools = tools;
      if (model !== undefined) completeOptions.model = model;
      if (temperature !== undefined) completeOptions.temperature = temperature;

      const transcript: Message[] = [];
      if (system !== undefined) transcript.push({ role: 'system', content: system });
      transcript.push(...input.context);

      for (let step = 0; step < maxSteps; step++) {
        if (input.signal.aborted) throw abortError(input.signal);
        const reply = checkReply(await input.llm.complete([...transcript], completeOptions));
        const toolCalls = reply.toolCalls ?? [];
        transcript.push({ ...reply, role: 'assistant' });
        if (toolCalls.length === 0) {
          return { actions: [{ type: 'message', content: reply.content, target }] };
        }
        for (const call of toolCalls) {
          transcript.push(await runToolCall(call, offered, input));
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
  if (options.description !== undefined) behavior.description = options.description;
  if (options.priority !== undefined) behavior.priority = options.priority;
  return behavior;
}
