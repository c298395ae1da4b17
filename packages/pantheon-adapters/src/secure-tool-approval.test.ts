import { type LlmPort, llmBehavior, PantheonSystem } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { InMemoryActorStateAdapter } from './in-memory-actor-state-adapter';
import { InMemoryContextAdapter } from './in-memory-context-adapter';
import { InMemoryMessageBus } from './in-memory-message-bus';
import { InMemoryToolAdapter } from './in-memory-tool-adapter';
import { NodeScheduler } from './node-scheduler';
import { SecureToolAdapter } from './secure-tool-adapter';

/** Deletes the account the user names, then says what the tool said. */
const model: LlmPort = {
  async complete(messages) {
    const last = messages.at(-1)!;
    if (last.role === 'tool') return { role: 'assistant', content: `Result: ${last.content}` };
    return {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call-1', name: 'delete-account', args: { account: 'acme' } }],
    };
  },
};

function secureTools(deleted: string[]) {
  const inner = new InMemoryToolAdapter();
  // The tool itself knows nothing of approval: the secure adapter requires it.
  inner.register({
    name: 'delete-account',
    description: 'Deletes an account',
    parameters: { type: 'object', properties: { account: { type: 'string' } } },
    execute: ({ account }: { account: string }) => {
      deleted.push(account);
      return `deleted ${account}`;
    },
  });
  return new SecureToolAdapter(inner, {
    allow: ['delete-account'],
    requireApproval: ['delete-account'],
  });
}

describe('SecureToolAdapter requireApproval', () => {
  it('lists the tool as needing approval and refuses a call without one', async () => {
    const deleted: string[] = [];
    const tools = secureTools(deleted);
    expect(tools.list().map((tool) => [tool.name, tool.needsApproval])).toEqual([
      ['delete-account', true],
    ]);
    expect(tools.list()[0]).toBe(tools.list()[0]);
    await expect(tools.invoke('delete-account', { account: 'acme' })).rejects.toMatchObject({
      code: 'TOOL_DENIED',
      details: { reason: 'needs-approval' },
    });
    expect(
      await tools.invoke(
        'delete-account',
        { account: 'acme' },
        { approval: { id: 'a-1', by: 'ops' } },
      ),
    ).toBe('deleted acme');
    expect(deleted).toEqual(['acme']);
  });

  it('makes llmBehavior hold the call back until a person approves it in the runtime', async () => {
    const deleted: string[] = [];
    const pantheon = new PantheonSystem({
      contextAdapter: new InMemoryContextAdapter(),
      toolAdapter: secureTools(deleted),
      llmAdapter: model,
      messageBus: new InMemoryMessageBus(),
      scheduler: new NodeScheduler(),
      actorStateAdapter: new InMemoryActorStateAdapter(),
      log: () => {},
    });
    const script = {
      name: 'admin',
      talents: [
        { name: 'admin', behaviors: [llmBehavior({ name: 'admin', tools: ['delete-account'] })] },
      ],
      contextSources: [],
    };
    await pantheon.createActor({ id: 'admin', name: 'admin', script, goals: ['Administer'] });
    await pantheon.startActor('admin');
    const answer = pantheon.ask('admin', 'Delete the acme account');
    let pending = await pantheon.getPendingApprovals();
    while (pending.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      pending = await pantheon.getPendingApprovals();
    }
    expect(pending[0]).toMatchObject({ tool: 'delete-account', args: { account: 'acme' } });
    expect(deleted).toEqual([]);
    await pantheon.approve(pending[0]!.id, { by: 'ops' });
    expect((await answer).content).toBe('Result: deleted acme');
    expect(deleted).toEqual(['acme']);
    await pantheon.shutdown();
  });
});
