import { describe, expect, it } from 'vitest';
import { ToolError } from '../errors';
import { actorWith, portsFor } from '../orchestrator/fake-ports.test-support';
import { makeOrchestrator } from '../orchestrator/make-orchestrator';
import type { LlmCompleteOptions, LlmPort } from '../ports/llm-port';
import type { ToolInvokeOptions, ToolPort } from '../ports/tool-port';
import type { Behavior, Message, ToolSpec } from '../types';
import { llmBehavior } from './llm-behavior';

type Reply = Message | ((messages: Message[], options: LlmCompleteOptions) => Message);

/** A scripted model: replies are consumed in order; every call is recorded. */
function scriptedLlm(...replies: Reply[]) {
  const calls: { messages: Message[]; options: LlmCompleteOptions }[] = [];
  const llm: LlmPort = {
    async complete(messages, options = {}) {
      calls.push({ messages: structuredClone(messages), options });
      const reply = replies.shift();
      if (!reply) throw new Error('The scripted model has no more replies');
      return typeof reply === 'function' ? reply(messages, options) : reply;
    },
  };
  return { llm, calls };
}

const weatherTool: ToolSpec = {
  name: 'get-weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
  execute: async (args: { location: string }) => ({ location: args.location, celsius: 21 }),
};

const failingTool: ToolSpec = {
  name: 'slow-lookup',
  description: 'Always times out',
  parameters: { type: 'object', properties: {} },
  execute: async () => {
    throw new ToolError('Tool "slow-lookup" timed out after 50 ms', 'slow-lookup', undefined, {
      code: 'TOOL_TIMEOUT',
    });
  },
};

function toolPort(tools: ToolSpec[], { withList = true } = {}) {
  const registry = new Map(tools.map((tool) => [tool.name, tool]));
  const invocations: {
    name: string;
    args: Record<string, unknown>;
    options?: ToolInvokeOptions;
  }[] = [];
  const port: ToolPort = {
    register: (tool) => void registry.set(tool.name, tool),
    async invoke(name, args, options) {
      invocations.push({ name, args, options });
      const tool = registry.get(name);
      if (!tool)
        throw new ToolError(`Unknown tool ${name}`, name, undefined, { code: 'TOOL_NOT_FOUND' });
      return tool.execute(args, { signal: options?.signal, actorId: options?.actorId });
    },
  };
  if (withList) port.list = () => [...registry.values()];
  return { port, invocations };
}

function setup(behavior: Behavior, llm: LlmPort, tools: ToolPort) {
  const actor = actorWith([behavior], { id: 'weather-bot', goals: ['Answer weather questions'] });
  const { deps, bus } = portsFor(actor, { llm, tools });
  return { orchestrator: makeOrchestrator(deps), actor, sent: bus.sent };
}

describe('llmBehavior', () => {
  it('sends the system prompt and context and turns a text answer into one message', async () => {
    const { llm, calls } = scriptedLlm({ role: 'assistant', content: 'Hello! How can I help?' });
    const behavior = llmBehavior({
      name: 'answer',
      system: 'You are terse.',
      model: 'test-model',
      temperature: 0.2,
      target: 'customer-7',
    });
    const { orchestrator, actor, sent } = setup(behavior, llm, toolPort([]).port);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Hi' });

    expect(result.errors).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(calls[0]?.options).toMatchObject({ model: 'test-model', temperature: 0.2 });
    expect(calls[0]?.options.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]?.options.tools).toBeUndefined();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      from: 'weather-bot',
      to: 'customer-7',
      content: 'Hello! How can I help?',
    });
    expect(behavior).toMatchObject({ name: 'answer', mode: 'active' });
  });

  it('runs the tool calls the model asks for and feeds the results back', async () => {
    const { llm, calls } = scriptedLlm(
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'get-weather', args: { location: 'Paris' } }],
      },
      { role: 'assistant', content: 'It is 21 °C in Paris.' },
    );
    const tools = toolPort([weatherTool, failingTool]);
    const behavior = llmBehavior({ name: 'answer', tools: ['get-weather'] });
    const { orchestrator, actor, sent } = setup(behavior, llm, tools.port);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Weather in Paris?' });

    expect(result.errors).toEqual([]);
    expect(calls[0]?.options.tools).toEqual([weatherTool]);
    expect(tools.invocations).toHaveLength(1);
    expect(tools.invocations[0]).toMatchObject({
      name: 'get-weather',
      args: { location: 'Paris' },
      options: { actorId: 'weather-bot' },
    });
    expect(tools.invocations[0]?.options?.signal).toBeInstanceOf(AbortSignal);
    expect(calls[1]?.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'get-weather', args: { location: 'Paris' } }],
      },
      {
        role: 'tool',
        content: '{"location":"Paris","celsius":21}',
        toolCallId: 'call_1',
        name: 'get-weather',
      },
    ]);
    expect(sent.map((message) => message.content)).toEqual(['It is 21 °C in Paris.']);
  });

  it('feeds a failing tool call back to the model as an error result', async () => {
    const { llm, calls } = scriptedLlm(
      {
        role: 'assistant',
        content: 'Let me look that up.',
        toolCalls: [{ id: 'call_9', name: 'slow-lookup', args: {} }],
      },
      { role: 'assistant', content: 'The lookup service is slow; please try again later.' },
    );
    const behavior = llmBehavior({ name: 'answer', tools: ['slow-lookup'] });
    const { orchestrator, actor, sent } = setup(behavior, llm, toolPort([failingTool]).port);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Look it up' });

    expect(result.errors).toEqual([]);
    expect(calls[1]?.messages.at(-1)).toEqual({
      role: 'tool',
      content: 'Error (TOOL_TIMEOUT): Tool "slow-lookup" timed out after 50 ms',
      toolCallId: 'call_9',
      name: 'slow-lookup',
      metadata: { isError: true },
    });
    expect(sent[0]?.content).toBe('The lookup service is slow; please try again later.');
  });

  it('refuses a call to a tool that was not offered, without running it', async () => {
    const { llm, calls } = scriptedLlm(
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_2', name: 'slow-lookup', args: {} }],
      },
      { role: 'assistant', content: 'Sorry, I cannot do that.' },
    );
    const tools = toolPort([weatherTool, failingTool]);
    const behavior = llmBehavior({ name: 'answer', tools: ['get-weather'] });
    const { orchestrator, actor } = setup(behavior, llm, tools.port);

    await orchestrator.tickActor(actor, { userMessage: 'Do it' });

    expect(tools.invocations).toEqual([]);
    expect(calls[1]?.messages.at(-1)?.content).toBe(
      'Error (TOOL_NOT_FOUND): Tool "slow-lookup" was not offered to the model',
    );
  });

  it('fails with MAX_STEPS_EXCEEDED and the partial transcript after maxSteps model calls', async () => {
    const askAgain = (): Message => ({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: crypto.randomUUID(), name: 'get-weather', args: { location: 'Oslo' } }],
    });
    const { llm, calls } = scriptedLlm(askAgain, askAgain, askAgain);
    const behavior = llmBehavior({ name: 'looper', tools: ['get-weather'], maxSteps: 2 });
    const { orchestrator, actor, sent } = setup(behavior, llm, toolPort([weatherTool]).port);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Weather?' });

    expect(calls).toHaveLength(2);
    expect(sent).toEqual([]);
    expect(result.state).toBe('failed');
    const [error] = result.errors;
    expect(error).toMatchObject({ name: 'BehaviorError', code: 'MAX_STEPS_EXCEEDED' });
    const transcript = error?.details?.transcript as Message[];
    expect(transcript.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
    ]);
  });

  it('rejects a named tool that is not registered, naming it', async () => {
    const { llm, calls } = scriptedLlm({ role: 'assistant', content: 'unused' });
    const behavior = llmBehavior({ name: 'answer', tools: ['get-weather', 'send-email'] });
    const { orchestrator, actor } = setup(behavior, llm, toolPort([weatherTool]).port);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Hi' });

    expect(calls).toEqual([]);
    expect(result.errors[0]).toMatchObject({
      name: 'ToolError',
      code: 'TOOL_NOT_FOUND',
      toolName: 'send-email',
    });
    expect(result.errors[0]?.message).toContain('send-email');
  });

  it('needs ToolPort.list() to offer named tools', async () => {
    const { llm } = scriptedLlm({ role: 'assistant', content: 'unused' });
    const behavior = llmBehavior({ name: 'answer', tools: ['get-weather'] });
    const tools = toolPort([weatherTool], { withList: false });
    const { orchestrator, actor } = setup(behavior, llm, tools.port);

    const result = await orchestrator.tickActor(actor, { userMessage: 'Hi' });

    expect(result.errors[0]).toMatchObject({ name: 'ConfigError', code: 'CONFIG_ERROR' });
  });

  it('rejects a malformed model reply as LLM_INVALID_RESPONSE', async () => {
    const { llm } = scriptedLlm({ role: 'assistant', content: 42 } as unknown as Message);
    const { orchestrator, actor, sent } = setup(
      llmBehavior({ name: 'answer' }),
      llm,
      toolPort([]).port,
    );

    const result = await orchestrator.tickActor(actor, { userMessage: 'Hi' });

    expect(sent).toEqual([]);
    expect(result.errors[0]).toMatchObject({ name: 'LlmError', code: 'LLM_INVALID_RESPONSE' });
    expect(result.errors[0]?.message).toContain('reply.content');
  });

  it('stops when the tick is aborted during a tool call instead of feeding the abort back', async () => {
    const controller = new AbortController();
    const blockingTool: ToolSpec = {
      name: 'wait-for-abort',
      description: 'Resolves never; rejects on abort',
      parameters: { type: 'object', properties: {} },
      execute: (_args, context) =>
        new Promise((_, reject) => {
          context?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
          controller.abort(new Error('tick cancelled'));
        }),
    };
    const { llm, calls } = scriptedLlm({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_3', name: 'wait-for-abort', args: {} }],
    });
    const behavior = llmBehavior({ name: 'answer', tools: ['wait-for-abort'] });
    const { orchestrator, actor } = setup(behavior, llm, toolPort([blockingTool]).port);

    const tick = orchestrator.tickActor(actor, { userMessage: 'Go', signal: controller.signal });

    await expect(tick).rejects.toMatchObject({ code: 'ABORTED' });
    expect(calls).toHaveLength(1);
  });

  it('validates maxSteps at construction', () => {
    expect(() => llmBehavior({ name: 'answer', maxSteps: 0 })).toThrowError(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
  });

  it('answers the conversation’s requester when no target is set', async () => {
    const { llm } = scriptedLlm({ role: 'assistant', content: 'Here you go' });
    const { orchestrator, actor, sent } = setup(
      llmBehavior({ name: 'answer' }),
      llm,
      toolPort([]).port,
    );
    await orchestrator.tickActor(actor, {
      userMessage: 'Hi',
      conversationId: 'c-1',
      replyTo: 'customer-9',
    });
    expect(sent[0]).toMatchObject({
      to: 'customer-9',
      conversationId: 'c-1',
      replyTo: 'customer-9',
    });
  });

  it('offers a handoff tool and turns its call into a handoff action', async () => {
    const { llm, calls } = scriptedLlm({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'h1', name: 'handoff', args: { to: 'billing', reason: 'refund' } }],
    });
    const behavior = llmBehavior({
      name: 'route',
      handoffs: [{ actor: 'billing', description: 'Charges and refunds' }, 'tech'],
    });
    expect(behavior.requires).toEqual({ tools: [], actors: ['billing', 'tech'] });
    const { orchestrator, actor, sent } = setup(behavior, llm, toolPort([]).port);
    const result = await orchestrator.tickActor(actor, {
      userMessage: 'Refund please',
      conversationId: 'c-2',
      replyTo: 'user',
    });
    expect(result.errors).toEqual([]);
    const offered = calls[0]?.options.tools?.find((tool) => tool.name === 'handoff');
    expect(offered?.description).toContain('billing: Charges and refunds');
    expect(offered?.parameters).toMatchObject({
      properties: { to: { enum: ['billing', 'tech'] } },
    });
    expect(sent).toEqual([
      expect.objectContaining({
        to: 'billing',
        content: 'Refund please',
        conversationId: 'c-2',
        replyTo: 'user',
        metadata: expect.objectContaining({ handoff: { from: 'weather-bot', reason: 'refund' } }),
      }),
    ]);
  });

  it('feeds a hand-off to an actor it may not choose back to the model', async () => {
    const { llm, calls } = scriptedLlm(
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'h1', name: 'handoff', args: { to: 'sales' } }],
      },
      { role: 'assistant', content: 'I will help you myself' },
    );
    const behavior = llmBehavior({ name: 'route', handoffs: ['billing'] });
    const { orchestrator, actor, sent } = setup(behavior, llm, toolPort([]).port);
    await orchestrator.tickActor(actor, { userMessage: 'Hi' });
    expect(calls[1]?.messages.at(-1)).toMatchObject({
      role: 'tool',
      toolCallId: 'h1',
      content: expect.stringContaining('"sales" is not one of the agents'),
      metadata: { isError: true },
    });
    expect(sent).toEqual([
      expect.objectContaining({ to: 'user', content: 'I will help you myself' }),
    ]);
  });

  it('refuses a registered tool named handoff next to handoffs', () => {
    expect(() => llmBehavior({ name: 'route', tools: ['handoff'], handoffs: ['billing'] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
  });
});
