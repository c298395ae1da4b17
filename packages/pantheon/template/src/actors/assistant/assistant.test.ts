// The assistant on a mock model (no network, no API key): the model's replies are scripted, the
// app, its tool and the runtime are real.
import { startApp } from '@promethean-os/pantheon';
import type { Message } from '@promethean-os/pantheon-core';
import { MockLlmAdapter } from '@promethean-os/pantheon-test';
import { afterEach, describe, expect, it } from 'vitest';
import app from '../../app.ts';
import { CURRENT_TIME, currentTimeTool } from './tools.ts';

const askTheTime = (timeZone: string): Message => ({
  role: 'assistant',
  content: '',
  toolCalls: [{ id: 'call-1', name: CURRENT_TIME, args: { timeZone } }],
});

let pantheon: Awaited<ReturnType<typeof startApp>> | undefined;
afterEach(async () => {
  await pantheon?.shutdown();
  pantheon = undefined;
});

describe('current-time', () => {
  it('tells the time in a time zone', () => {
    const noonUtc = () => new Date('2026-03-01T12:00:00Z');
    expect(currentTimeTool(noonUtc).execute({ timeZone: 'Asia/Tokyo' })).toBe(
      'Sunday 2026-03-01 21:00 (Asia/Tokyo)',
    );
  });
});

describe('the assistant', () => {
  it('answers with the time the tool gave the model', async () => {
    const llm = new MockLlmAdapter().queueResponses(askTheTime('Asia/Tokyo'), (messages) => ({
      role: 'assistant',
      content: `It is ${messages.at(-1)?.content}.`,
    }));
    pantheon = await startApp({ logging: { level: 'warn' } }, app, { llm });

    const reply = await pantheon.ask('assistant', 'What time is it in Tokyo?');

    expect(reply.content).toMatch(/^It is \w+ \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Asia\/Tokyo\)\.$/);
    const [firstCall] = llm.getCalls();
    expect(firstCall?.opts.tools?.map((tool) => tool.name)).toContain(CURRENT_TIME);
  });

  it('gives the model an unknown time zone back as an error, and the model recovers', async () => {
    const llm = new MockLlmAdapter().queueResponses(askTheTime('Mars/Olympus_Mons'), {
      role: 'assistant',
      content: 'Mars has no time zone I know of.',
    });
    pantheon = await startApp({ logging: { level: 'warn' } }, app, { llm });

    const reply = await pantheon.ask('assistant', 'What time is it on Mars?');

    expect(reply.content).toBe('Mars has no time zone I know of.');
    const toolResult = llm.getCalls()[1]?.messages.at(-1);
    expect(toolResult).toMatchObject({ role: 'tool', toolCallId: 'call-1' });
    expect(toolResult?.content).toContain('expected an IANA time zone');
  });
});
