import { ReplayLlmAdapter } from '@promethean-os/pantheon-test';
import { describe, expect, it } from 'vitest';
import { SUPPORT_DESK_CASSETTE } from './model-choice';
import {
  CUSTOMER_QUESTIONS,
  CUSTOMER_SERVICE_ID,
  runSupportDesk,
  SUPERVISOR_ID,
} from './support-desk';

describe('support desk, offline from the committed cassette', () => {
  it('answers with the weather tool, escalates the refund, and the supervisor replies', async () => {
    const lines: string[] = [];
    const run = await runSupportDesk({
      llm: new ReplayLlmAdapter(SUPPORT_DESK_CASSETTE),
      log: (line) => lines.push(line),
    });

    expect(run.errors).toEqual([]);
    expect(run.deadLetters).toEqual([]);
    expect(run.events).toEqual([
      { type: 'question', to: CUSTOMER_SERVICE_ID, content: CUSTOMER_QUESTIONS[0] },
      {
        type: 'tool',
        actorId: CUSTOMER_SERVICE_ID,
        name: 'get-weather',
        args: { location: 'Bergen' },
        result: '{"location":"Bergen","celsius":9,"conditions":"rain showers","windKph":38}',
      },
      {
        type: 'message',
        from: CUSTOMER_SERVICE_ID,
        to: 'user',
        content: 'Bergen right now: 9°C, rain showers, wind 38 km/h, so sailings run as normal.',
      },
      { type: 'question', to: CUSTOMER_SERVICE_ID, content: CUSTOMER_QUESTIONS[1] },
      {
        type: 'tool',
        actorId: CUSTOMER_SERVICE_ID,
        name: 'escalate-to-supervisor',
        args: {
          reason: 'a refund of €240 is above the €100 agent limit',
          summary: `The customer asks: "${CUSTOMER_QUESTIONS[1]}"`,
        },
        result: `Escalated to supervisor ${SUPERVISOR_ID} (reason: a refund of €240 is above the €100 agent limit). Tell the customer that a supervisor will reply to them directly; do not promise the outcome.`,
      },
      {
        type: 'message',
        from: CUSTOMER_SERVICE_ID,
        to: 'user',
        content:
          "I can't approve a refund of €240 myself, so I have passed your request to a supervisor, who will reply to you directly.",
      },
      {
        type: 'message',
        from: CUSTOMER_SERVICE_ID,
        to: SUPERVISOR_ID,
        content: `Escalation from ${CUSTOMER_SERVICE_ID}. Reason: a refund of €240 is above the €100 agent limit. Summary: The customer asks: "${CUSTOMER_QUESTIONS[1]}"`,
      },
      {
        type: 'message',
        from: SUPERVISOR_ID,
        to: 'user',
        content:
          'Supervisor here: I have approved your refund of €240 for the cancelled sailing; it reaches your original payment method within 5 working days.',
      },
    ]);
    expect(lines).toHaveLength(run.events.length);
    expect(lines[1]).toBe(
      `  ${CUSTOMER_SERVICE_ID} called get-weather({"location":"Bergen"}) → {"location":"Bergen","celsius":9,"conditions":"rain showers","windKph":38}`,
    );
  });

  it('fails loudly, naming the question, when the conversation was never recorded', async () => {
    const run = await runSupportDesk({
      llm: new ReplayLlmAdapter(SUPPORT_DESK_CASSETTE),
      questions: ['Can I bring my dog on board?'],
    });

    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatchObject({
      code: 'LLM_CASSETTE_MISS',
      message: expect.stringContaining('Can I bring my dog on board?'),
    });
    expect(run.events.filter((event) => event.type === 'message')).toEqual([]);
  });
});
