import { type Message, type ToolCallEvent, ToolError } from '@promethean-os/pantheon-core';
import { MockLlmAdapter, type MockLlmCall } from '@promethean-os/pantheon-test';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAnalyst, startAnalyst } from './analyst.test-support';

let analyst: RunningAnalyst | undefined;
afterEach(async () => {
  await analyst?.pantheon.shutdown();
  analyst = undefined;
});

const callTool = (id: string, name: string, args: Record<string, unknown>): Message => ({
  role: 'assistant',
  content: '',
  toolCalls: [{ id, name, args }],
});

/** The app on a mock model, recording each tool call. */
async function withMockModel(llm: MockLlmAdapter) {
  const toolCalls: ToolCallEvent[] = [];
  analyst = await startAnalyst(
    {},
    {
      llm,
      hooks: { onToolCall: (event) => toolCalls.push(event) },
      log: () => {},
    },
  );
  return { analyst, toolCalls };
}

describe('conversations on a mock model', () => {
  it('the analyst hands a chart request to the reporter, whose answer reaches the asker', async () => {
    const llm = new MockLlmAdapter().queueResponses(
      callTool('call_1', 'handoff', { to: 'reporter', reason: 'a chart' }),
      callTool('call_2', 'chart-csv', { aggregate: 'count', groupBy: 'region', title: 'Orders' }),
      (messages) => ({
        role: 'assistant',
        content: `${messages.at(-1)?.content}\nEast and South have the most orders.`,
      }),
    );
    const { analyst } = await withMockModel(llm);

    const answer = await analyst.ask('Plot the orders per region', { conversationId: 'c-1' });

    expect(answer).toMatchObject({ from: 'reporter', to: 'user', conversationId: 'c-1' });
    expect(answer.content).toBe(
      [
        'Orders',
        `East   ${'█'.repeat(30)} 11`,
        `North  ${'█'.repeat(25)} 9`,
        `South  ${'█'.repeat(30)} 11`,
        `West   ${'█'.repeat(25)} 9`,
        'East and South have the most orders.',
      ].join('\n'),
    );
    const [analystCall, reporterCall] = llm.getCalls();
    const offered = (call: MockLlmCall | undefined) => call?.opts.tools?.map((tool) => tool.name);
    expect(offered(analystCall)).toEqual(['describe-csv', 'query-csv', 'handoff']);
    expect(offered(reporterCall)).toEqual(['describe-csv', 'chart-csv']);
    // The reporter is shown the user's question, as it was asked.
    expect(reporterCall?.messages.at(-1)).toMatchObject({
      role: 'user',
      content: 'Plot the orders per region',
    });
    expect(llm.pendingResponses()).toBe(0);
  });

  it('a query with an unknown column comes back to the model as TOOL_INVALID_ARGS; it recovers', async () => {
    const llm = new MockLlmAdapter().queueResponses(
      callTool('call_1', 'query-csv', { aggregate: 'sum', column: 'profit', groupBy: 'region' }),
      callTool('call_2', 'query-csv', { aggregate: 'sum', column: 'revenue_eur' }),
      (messages) => {
        const result = JSON.parse(messages.at(-1)?.content ?? '{}') as { value: number };
        return {
          role: 'assistant',
          content: `There is no profit column; revenue was €${result.value}.`,
        };
      },
    );
    const { analyst, toolCalls } = await withMockModel(llm);

    const answer = await analyst.ask('What was the total profit?');

    expect(answer.content).toBe('There is no profit column; revenue was €22593.3.');
    // The model was shown the typed error, naming the field and the columns it may use.
    const shown = llm.getCalls()[1]?.messages.at(-1);
    expect(shown).toMatchObject({ role: 'tool', name: 'query-csv', metadata: { isError: true } });
    expect(shown?.content).toMatch(
      /^Error \(TOOL_INVALID_ARGS\): Invalid arguments for tool "query-csv": column: Invalid option: expected one of "order_id"\|/,
    );
    expect(ToolError.isInstance(toolCalls[0]?.error)).toBe(true);
    expect(toolCalls[0]?.error).toMatchObject({ code: 'TOOL_INVALID_ARGS' });
    expect(toolCalls[1]).toMatchObject({ name: 'query-csv', result: { value: 22593.3 } });
    expect(analyst.pantheon.getDeadLetters()).toEqual([]);
  });

  it('keeps each conversation’s history: a follow-up is shown the earlier question and answer', async () => {
    const llm = new MockLlmAdapter().setResponse({ role: 'assistant', content: 'Noted.' });
    const { analyst } = await withMockModel(llm);

    const first = await analyst.ask('Which region sold most?', { conversationId: 'alice' });
    await analyst.ask('Unrelated question', { conversationId: 'bob' });
    await analyst.ask('And the least?', { conversationId: first.conversationId });

    const followUp = llm.getCalls()[2]?.messages.map((message) => message.content);
    expect(followUp).toEqual(
      expect.arrayContaining(['Which region sold most?', 'Noted.', 'And the least?']),
    );
    expect(followUp).not.toContain('Unrelated question');
  });
});
