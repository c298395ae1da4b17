import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { llmBehavior, PantheonSystem } from '@promethean-os/pantheon-core';
import { MockLlmAdapter } from '@promethean-os/pantheon-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcp, type McpConnection } from './client/mcp-connection';
import { createEchoDesk } from './echo-desk.test-support';
import { failureOf } from './failures.test-support';
import { type McpService, serveMcp } from './server/serve-mcp';

describe('Pantheon to Pantheon over MCP: one system serves its actors, another uses them as tools', {
  timeout: 20_000,
}, () => {
  let desk: Awaited<ReturnType<typeof createEchoDesk>>;
  let service: McpService;
  let remote: McpConnection;

  beforeAll(async () => {
    desk = await createEchoDesk();
    service = await serveMcp(desk.system, {
      actors: [{ id: 'desk-7', toolName: 'desk', description: 'The front desk' }, 'echo'],
      transport: { type: 'http', token: 'round-trip-token-0123456789' },
      askTimeoutMs: 500,
    });
    remote = await connectMcp(
      { url: service.url!, headers: { Authorization: 'Bearer round-trip-token-0123456789' } },
      { log: () => {} },
    );
  }, 30_000);
  afterAll(async () => {
    await remote.close();
    await service.close();
    await desk.system.shutdown();
  }, 30_000);

  it('an llmBehavior actor asks a served actor and answers with its reply', async () => {
    const tools = new InMemoryToolAdapter();
    await remote.registerTools(tools, { prefix: 'remote_', include: ['ask_desk'] });
    const llm = new MockLlmAdapter();
    llm.queueResponses({
      role: 'assistant',
      content: '',
      toolCalls: [
        { id: 'call_1', name: 'remote_ask_desk', args: { message: 'Is the pool open?' } },
      ],
    });
    llm.setResponse((messages) => ({
      role: 'assistant',
      content: `The desk says: ${messages.at(-1)!.content}`,
    }));
    const system = new PantheonSystem({
      contextAdapter: new InMemoryContextAdapter(),
      toolAdapter: tools,
      llmAdapter: llm,
      messageBus: new InMemoryMessageBus(),
      scheduler: new NodeScheduler(),
      actorStateAdapter: new InMemoryActorStateAdapter(),
      log: () => {},
    });
    await system.createActor({
      id: 'concierge',
      name: 'concierge',
      goals: ['Help guests'],
      script: {
        name: 'concierge',
        contextSources: [],
        talents: [
          { name: 'ask', behaviors: [llmBehavior({ name: 'ask', tools: ['remote_ask_desk'] })] },
        ],
      },
    });
    await system.startActor('concierge');
    const answer = await system.ask('concierge', 'Can I swim now?', { timeoutMs: 10_000 });
    await system.shutdown();
    expect(answer.content).toBe('The desk says: desk: Is the pool open?');
  });

  it("a served actor's error reaches the client as TOOL_FAILED with the remote code", async () => {
    const error = await failureOf(remote.callTool('ask_echo', { message: 'slow' }));
    expect(error.code).toBe('TOOL_FAILED');
    expect(error.message).toContain('ASK_TIMEOUT: ');
    expect(error.details.remote).toMatchObject({ code: 'ASK_TIMEOUT' });
    const structured = await remote.callTool('ask_desk', { message: 'structured?' });
    expect(structured.structuredContent).toMatchObject({
      reply: 'desk: structured?',
      from: 'desk-7',
    });
  });
});
