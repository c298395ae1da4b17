import type { Message } from '@promethean-os/pantheon-core';
import { MockLlmAdapter } from '@promethean-os/pantheon-test';
import { describe, expect, it } from 'vitest';
import { ESCALATE_TOOL } from './escalation';
import { CUSTOMER_SERVICE_ID, runSupportDesk, SUPERVISOR_ID } from './support-desk';

const refundQuestion = 'Please refund €300 for my cancelled crossing.';

function escalateCall(args: Record<string, unknown>): Message {
  return {
    role: 'assistant',
    content: '',
    toolCalls: [{ id: 'call_escalate', name: ESCALATE_TOOL, args }],
  };
}

function messagesTo(run: Awaited<ReturnType<typeof runSupportDesk>>, to: string) {
  return run.events.filter((event) => event.type === 'message' && event.to === to);
}

describe('escalation follows the model', () => {
  it('sends nothing to the supervisor when the model answers without escalating', async () => {
    const llm = new MockLlmAdapter().queueResponses({
      role: 'assistant',
      content: 'Your €300 refund is on its way.',
    });

    const run = await runSupportDesk({ llm, questions: [refundQuestion] });

    expect(run.errors).toEqual([]);
    expect(messagesTo(run, SUPERVISOR_ID)).toEqual([]);
    expect(messagesTo(run, 'user')).toEqual([
      {
        type: 'message',
        from: CUSTOMER_SERVICE_ID,
        to: 'user',
        content: 'Your €300 refund is on its way.',
      },
    ]);
    expect(llm.getCalls()).toHaveLength(1);
  });

  it('hands the case to the supervisor, after the answer, when the model calls the tool', async () => {
    const llm = new MockLlmAdapter().queueResponses(
      escalateCall({ reason: 'over the agent limit', summary: '€300 refund' }),
      { role: 'assistant', content: 'A supervisor will reply to you.' },
      { role: 'assistant', content: 'Supervisor here: approved.' },
    );

    const run = await runSupportDesk({ llm, questions: [refundQuestion] });

    expect(run.errors).toEqual([]);
    expect(run.events.filter((event) => event.type === 'message')).toEqual([
      {
        type: 'message',
        from: CUSTOMER_SERVICE_ID,
        to: 'user',
        content: 'A supervisor will reply to you.',
      },
      {
        type: 'message',
        from: CUSTOMER_SERVICE_ID,
        to: SUPERVISOR_ID,
        content: `Escalation from ${CUSTOMER_SERVICE_ID}. Reason: over the agent limit. Summary: €300 refund`,
      },
      { type: 'message', from: SUPERVISOR_ID, to: 'user', content: 'Supervisor here: approved.' },
    ]);
    const supervisorCall = llm.getCalls()[2]!;
    // The supervisor is offered only the refund tool (which waits for finance above €100).
    expect(supervisorCall.opts?.tools?.map((tool) => tool.name)).toEqual(['issue-refund']);
    expect(supervisorCall.messages.at(-1)).toMatchObject({
      role: 'user',
      name: CUSTOMER_SERVICE_ID,
      content: expect.stringContaining('Escalation from'),
    });
  });

  it('escalates nothing when the tool rejects the arguments, and tells the model why', async () => {
    const llm = new MockLlmAdapter().queueResponses(escalateCall({ reason: 'over the limit' }), {
      role: 'assistant',
      content: 'Let me look into it.',
    });

    const run = await runSupportDesk({ llm, questions: [refundQuestion] });

    expect(messagesTo(run, SUPERVISOR_ID)).toEqual([]);
    const toolResult = llm.getCalls()[1]!.messages.at(-1);
    expect(toolResult).toMatchObject({ role: 'tool', name: ESCALATE_TOOL });
    expect(toolResult?.content).toMatch(/^Error \(TOOL_INVALID_ARGS\)/);
    expect(run.events).toContainEqual(
      expect.objectContaining({
        type: 'tool',
        name: ESCALATE_TOOL,
        result: expect.stringMatching(/^failed: /),
      }),
    );
  });
});
