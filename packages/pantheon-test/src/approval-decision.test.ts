import { type Actor, type BehaviorInput, llmBehavior } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { approvalResumeInput, MockLlmAdapter, MockToolAdapter } from './index';

const actor: Actor = {
  id: 'desk',
  goals: ['Refund'],
  script: { name: 'desk', talents: [], contextSources: [] },
};

/** A unit test of an actor's behavior whose refunds over 100 need a person, on the mocks. */
function setup() {
  const llm = new MockLlmAdapter().queueResponses(
    {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call-1', name: 'refund', args: { amount: 250 } }],
    },
    (messages) => ({ role: 'assistant', content: `Done: ${messages.at(-1)?.content}` }),
  );
  const tools = new MockToolAdapter();
  tools.register({
    name: 'refund',
    description: 'Refunds an amount',
    parameters: { type: 'object', properties: { amount: { type: 'number' } } },
    needsApproval: ({ amount }: { amount: number }) => amount > 100,
    execute: ({ amount }: { amount: number }) => ({ refunded: amount }),
  });
  const input: BehaviorInput = {
    goal: 'Refund',
    context: [{ role: 'user', content: 'Refund 250 please' }],
    actor,
    llm,
    tools,
    signal: new AbortController().signal,
  };
  return { llm, tools, input, behavior: llmBehavior({ name: 'desk', tools: ['refund'] }) };
}

describe('approvalResumeInput: unit-testing a behavior that needs approval', () => {
  it('resumes an approved call: the tool runs under the approval and the model answers', async () => {
    const { tools, input, behavior } = setup();
    const plan = await behavior.plan(input);
    expect(plan.actions).toEqual([]);
    expect(plan.awaitApproval?.toolCall).toEqual({
      id: 'call-1',
      name: 'refund',
      args: { amount: 250 },
    });
    expect(tools.getCalls('refund')).toHaveLength(0);

    const resumed = await behavior.resume!(approvalResumeInput(input, plan, { by: 'ops' }));
    expect(resumed.actions).toEqual([{ type: 'message', content: 'Done: {"refunded":250}' }]);
    expect(tools.getCalls('refund')[0]?.options.approval).toEqual({ id: 'approval-1', by: 'ops' });
  });

  it('resumes a denied call: the model sees the denial as a tool error', async () => {
    const { llm, tools, input, behavior } = setup();
    const plan = await behavior.plan(input);
    const resumed = await behavior.resume!(
      approvalResumeInput(input, plan, { decision: 'denied', by: 'lead', reason: 'too much' }),
    );
    expect(resumed.actions).toEqual([
      {
        type: 'message',
        content:
          'Done: Error (APPROVAL_DENIED): The call of tool "refund" was denied by lead: too much',
      },
    ]);
    expect(tools.getCalls()).toHaveLength(0);
    expect(llm.getCalls()[1]?.messages.at(-1)).toMatchObject({
      role: 'tool',
      toolCallId: 'call-1',
    });
  });

  it('rejects a plan that held nothing back with INVALID_ARGUMENT', () => {
    const { input } = setup();
    expect(() => approvalResumeInput(input, { actions: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
