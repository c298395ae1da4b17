import { ReplayLlmAdapter } from '@promethean-os/pantheon-test';
import { describe, expect, it } from 'vitest';
import { SUPPORT_DESK_CASSETTE } from './model-choice';
import { ScriptedSupportModel } from './scripted-support-model';
import {
  CUSTOMER_QUESTIONS,
  CUSTOMER_SERVICE_ID,
  runSupportDesk,
  SUPERVISOR_ID,
} from './support-desk';

describe('support desk, offline from the committed cassette', () => {
  it('answers with the weather tool, escalates the refund, finance approves it, and the supervisor pays it', async () => {
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
      { type: 'streamed', pieces: 14 },
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
      { type: 'streamed', pieces: 23 },
      // The supervisor pays the refund, which waits for finance because it is above €100.
      {
        type: 'approval-requested',
        actorId: SUPERVISOR_ID,
        tool: 'issue-refund',
        args: { amount: 240, reason: 'cancelled sailing' },
      },
      {
        type: 'approval-decided',
        tool: 'issue-refund',
        decision: 'approved',
        by: 'finance@skerry.example',
      },
      {
        type: 'tool',
        actorId: SUPERVISOR_ID,
        name: 'issue-refund',
        args: { amount: 240, reason: 'cancelled sailing' },
        result: '{"refunded":240,"currency":"EUR","reference":"RF-1001"}',
      },
      {
        type: 'message',
        from: SUPERVISOR_ID,
        to: 'user',
        content:
          'Supervisor here: I have refunded €240 for the cancelled sailing (reference RF-1001); it reaches your original payment method within 5 working days.',
      },
    ]);
    expect(run.refunds).toEqual([
      { amount: 240, reason: 'cancelled sailing', approvedBy: 'finance@skerry.example' },
    ]);
    expect(lines).toHaveLength(run.events.length);
    expect(lines[1]).toBe(
      `  ${CUSTOMER_SERVICE_ID} called get-weather({"location":"Bergen"}) → {"location":"Bergen","celsius":9,"conditions":"rain showers","windKph":38}`,
    );
  });

  it('streams the answer piece by piece to the caller', async () => {
    const pieces: string[] = [];
    await runSupportDesk({
      llm: new ReplayLlmAdapter(SUPPORT_DESK_CASSETTE),
      questions: [CUSTOMER_QUESTIONS[0]!],
      onTextDelta: (delta) => pieces.push(delta),
    });
    expect(pieces).toHaveLength(14);
    expect(pieces.join('')).toBe(
      'Bergen right now: 9°C, rain showers, wind 38 km/h, so sailings run as normal.',
    );
  });

  it('pays nothing when finance denies the refund, and the supervisor says so', async () => {
    const run = await runSupportDesk({
      llm: new ScriptedSupportModel(),
      questions: [CUSTOMER_QUESTIONS[1]!],
      approver: () => ({
        approve: false,
        by: 'finance@skerry.example',
        reason: 'fare not refundable',
      }),
    });
    expect(run.errors).toEqual([]);
    expect(run.refunds).toEqual([]);
    expect(run.events.filter((event) => event.type.startsWith('approval'))).toEqual([
      {
        type: 'approval-requested',
        actorId: SUPERVISOR_ID,
        tool: 'issue-refund',
        args: { amount: 240, reason: 'cancelled sailing' },
      },
      {
        type: 'approval-decided',
        tool: 'issue-refund',
        decision: 'denied',
        by: 'finance@skerry.example',
        why: 'fare not refundable',
      },
    ]);
    expect(run.events.at(-1)).toEqual({
      type: 'message',
      from: SUPERVISOR_ID,
      to: 'user',
      content:
        'Supervisor here: our finance team did not approve the refund of €240, so they will contact you within 2 working days.',
    });
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
