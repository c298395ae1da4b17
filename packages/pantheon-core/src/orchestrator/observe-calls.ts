import type { LlmCompleteOptions, LlmPort, LlmStreamEvent } from '../ports/llm-port';
import type { ToolPort } from '../ports/tool-port';
import type { Actor, Behavior, Message } from '../types';
import type { ModelCallEvent, OrchestratorHooks, ToolCallEvent } from './types';

/** Reports an observed call to the hooks (the orchestrator's `emit`, which never throws). */
export interface CallReporter {
  model(event: ModelCallEvent): void;
  tool(event: ToolCallEvent): void;
}

/**
 * The `llm` and `tools` a behavior plans with, reporting every call to `onModelCall` and
 * `onToolCall`; the ports themselves when neither hook is set, so unobserved ticks pay nothing.
 */
export function observedPorts(
  hooks: OrchestratorHooks | undefined,
  report: CallReporter,
  now: () => number,
  ports: { llm: LlmPort; tools: ToolPort },
  actor: Actor,
  behavior: Behavior,
): { llm: LlmPort; tools: ToolPort } {
  return {
    llm: hooks?.onModelCall ? observedLlm(ports.llm, report, now, actor, behavior) : ports.llm,
    tools: hooks?.onToolCall
      ? observedTools(ports.tools, report, now, actor, behavior)
      : ports.tools,
  };
}

function observedLlm(
  llm: LlmPort,
  report: CallReporter,
  now: () => number,
  actor: Actor,
  behavior: Behavior,
): LlmPort {
  const observed: LlmPort = {
    complete: async (messages: Message[], options: LlmCompleteOptions = {}) => {
      const started = now();
      try {
        const reply = await llm.complete(messages, options);
        report.model({ actor, behavior, messages, options, reply, durationMs: now() - started });
        return reply;
      } catch (error) {
        report.model({ actor, behavior, messages, options, error, durationMs: now() - started });
        throw error;
      }
    },
  };
  const stream = llm.stream?.bind(llm);
  if (stream) {
    observed.stream = (messages: Message[], options: LlmCompleteOptions = {}) =>
      observedStream(stream(messages, options), now, (outcome, durationMs) =>
        report.model({ actor, behavior, messages, options, ...outcome, durationMs }),
      );
  }
  return observed;
}

/**
 * The events of `events`, reporting the `finish` message (or the error) once the stream ends; a
 * stream its reader abandons is reported without a reply.
 */
async function* observedStream(
  events: AsyncIterable<LlmStreamEvent>,
  now: () => number,
  settled: (outcome: { reply?: Message; error?: unknown }, durationMs: number) => void,
): AsyncIterable<LlmStreamEvent> {
  const started = now();
  const outcome: { reply?: Message; error?: unknown } = {};
  try {
    for await (const event of events) {
      if (event.type === 'finish') outcome.reply = event.message;
      yield event;
    }
  } catch (error) {
    outcome.error = error;
    throw error;
  } finally {
    settled(outcome, now() - started);
  }
}

function observedTools(
  tools: ToolPort,
  report: CallReporter,
  now: () => number,
  actor: Actor,
  behavior: Behavior,
): ToolPort {
  const observed: ToolPort = {
    register: (tool) => tools.register(tool),
    invoke: async (name, args, options) => {
      const started = now();
      const call = { actor, behavior, name, args, toolCallId: options?.toolCallId };
      try {
        const result = await tools.invoke(name, args, options);
        report.tool({ ...call, result, durationMs: now() - started });
        return result;
      } catch (error) {
        report.tool({ ...call, error, durationMs: now() - started });
        throw error;
      }
    },
  };
  if (tools.list) observed.list = () => tools.list!();
  if (tools.unregister) observed.unregister = (name) => tools.unregister!(name);
  return observed;
}
