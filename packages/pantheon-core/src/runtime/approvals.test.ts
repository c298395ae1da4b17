import { afterEach, describe, expect, it, vi } from 'vitest';
import { llmBehavior } from '../agent/llm-behavior';
import type { PendingApproval } from '../approval-types';
import { PantheonError } from '../errors';
import {
  fakeBus,
  fakeContext,
  fakeScheduler,
  fakeState,
  fakeTools,
  scriptWith,
} from '../orchestrator/fake-ports.test-support';
import type { LlmPort } from '../ports/llm-port';
import type { MailboxStore } from '../ports/mailbox-store';
import type { Message, ToolExecutionContext, ToolSpec } from '../types';
import { FakeMailboxStore } from './fake-mailbox-store.test-support';
import { PantheonSystem } from './pantheon-system';
import type { PantheonSystemOptions } from './types';

/**
 * A model that refunds what the user asks for ("refund 250"), then answers with the tool's
 * result; a plain question gets a plain answer.
 */
const refundModel: LlmPort = {
  async complete(messages: Message[]) {
    const last = messages.at(-1)!;
    if (last.role === 'tool') return { role: 'assistant', content: `Result: ${last.content}` };
    const amount = /refund (\d+)/.exec(last.content)?.[1];
    if (amount === undefined) return { role: 'assistant', content: `Answer to ${last.content}` };
    return {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: `call-${amount}`, name: 'refund', args: { amount: Number(amount) } }],
    };
  },
};

function refundTool(runs: { args: unknown; context?: ToolExecutionContext }[]): ToolSpec {
  return {
    name: 'refund',
    description: 'Refunds an amount',
    parameters: { type: 'object', properties: { amount: { type: 'number' } } },
    // Refunds over 100 need a person.
    needsApproval: (args: { amount: number }) => args.amount > 100,
    execute(args, context) {
      runs.push({ args, context });
      return { refunded: args.amount };
    },
  };
}

const script = scriptWith([llmBehavior({ name: 'desk', tools: ['refund'] })]);

function system(
  runs: { args: unknown; context?: ToolExecutionContext }[],
  options: Partial<PantheonSystemOptions> = {},
) {
  const events: string[] = [];
  const pantheon = new PantheonSystem({
    contextAdapter: fakeContext(),
    toolAdapter: fakeTools([refundTool(runs)]),
    llmAdapter: refundModel,
    messageBus: fakeBus(),
    scheduler: fakeScheduler(),
    actorStateAdapter: fakeState(),
    log: () => {},
    ...options,
  });
  pantheon.on('approval.requested', ({ approval }) => events.push(`requested ${approval.tool}`));
  pantheon.on('approval.decided', ({ decision, by }) => events.push(`${decision} by ${by}`));
  return { pantheon, events };
}

async function desk(pantheon: PantheonSystem) {
  await pantheon.createActor({ id: 'desk', name: 'desk', script, goals: ['Help'] });
  await pantheon.startActor('desk');
}

/** Resolves with the next approval requested. */
function nextApproval(pantheon: PantheonSystem): Promise<PendingApproval> {
  return new Promise((resolve) => {
    const off = pantheon.on('approval.requested', ({ approval }) => {
      off();
      resolve(approval);
    });
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('PantheonSystem: human approval of tool calls', () => {
  it('holds the call back, keeps answering other messages, and runs it once approved', async () => {
    const runs: { args: unknown; context?: ToolExecutionContext }[] = [];
    const { pantheon, events } = system(runs);
    await desk(pantheon);

    const requested = nextApproval(pantheon);
    const answer = pantheon.ask('desk', 'Please refund 250', { conversationId: 'c-1' });
    const approval = await requested;
    expect(approval).toMatchObject({
      actorId: 'desk',
      tool: 'refund',
      args: { amount: 250 },
      toolCallId: 'call-250',
      requestedBy: 'user',
      conversationId: 'c-1',
    });
    expect(await pantheon.getPendingApprovals()).toEqual([approval]);
    expect(pantheon.getRuntimeStats().pendingApprovals).toBe(1);
    expect(runs).toEqual([]);

    // The actor is not blocked: another conversation is answered meanwhile.
    const other = await pantheon.ask('desk', 'Opening hours?');
    expect(other.content).toBe('Answer to Opening hours?');
    // A small refund needs nobody.
    expect((await pantheon.ask('desk', 'refund 20')).content).toBe('Result: {"refunded":20}');

    await pantheon.approve(approval.id, { by: 'ops@example.com', note: 'Order checked' });
    const reply = await answer;
    expect(reply.content).toBe('Result: {"refunded":250}');
    expect(reply.conversationId).toBe('c-1');
    expect(runs.map((run) => run.args)).toEqual([{ amount: 20 }, { amount: 250 }]);
    expect(runs[1]?.context?.approval).toEqual({ id: approval.id, by: 'ops@example.com' });
    expect(await pantheon.getPendingApprovals()).toEqual([]);
    expect(pantheon.getRuntimeStats().pendingApprovals).toBe(0);
    expect(events).toEqual(['requested refund', 'approved by ops@example.com']);

    // Deciding it again is a typed error, and nothing runs twice.
    await expect(pantheon.approve(approval.id, { by: 'someone' })).rejects.toMatchObject({
      code: 'APPROVAL_ALREADY_DECIDED',
      details: { approvalId: approval.id, status: 'approved' },
    });
    await expect(pantheon.deny(approval.id, { reason: 'late' })).rejects.toMatchObject({
      code: 'APPROVAL_ALREADY_DECIDED',
    });
    await pantheon.whenIdle();
    expect(runs).toHaveLength(2);
  });

  it('feeds a denial to the model as a tool error it can answer with', async () => {
    const runs: { args: unknown }[] = [];
    const { pantheon } = system(runs);
    await desk(pantheon);
    const requested = nextApproval(pantheon);
    const answer = pantheon.ask('desk', 'refund 900');
    const approval = await requested;
    await pantheon.deny(approval.id, { reason: 'over the monthly limit', by: 'lead' });
    expect((await answer).content).toBe(
      'Result: Error (APPROVAL_DENIED): The call of tool "refund" was denied by lead: over the monthly limit',
    );
    expect(runs).toEqual([]);
  });

  it('lets two concurrent approvals of one id decide it once', async () => {
    const runs: { args: unknown }[] = [];
    const { pantheon } = system(runs);
    await desk(pantheon);
    const requested = nextApproval(pantheon);
    const answer = pantheon.ask('desk', 'refund 300');
    const { id } = await requested;
    const outcomes = await Promise.allSettled([
      pantheon.approve(id, { by: 'a' }),
      pantheon.approve(id, { by: 'b' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    await answer;
    await pantheon.whenIdle();
    expect(runs).toHaveLength(1);
  });

  it('rejects unknown ids, missing arguments, and approvals of actors not started here', async () => {
    const runs: { args: unknown }[] = [];
    const { pantheon } = system(runs);
    await desk(pantheon);
    const unknown = await pantheon.approve('nope', { by: 'a' }).catch((error: unknown) => error);
    expect(PantheonError.isInstance(unknown) && unknown.code).toBe('APPROVAL_NOT_FOUND');
    await expect(pantheon.approve('nope', { by: '' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });

    const requested = nextApproval(pantheon);
    const answer = pantheon.ask('desk', 'refund 400', { timeoutMs: 60_000 });
    const { id } = await requested;
    await pantheon.stopActor('desk');
    await expect(pantheon.approve(id, { by: 'ops' })).rejects.toMatchObject({
      code: 'APPROVAL_NOT_OWNED',
    });
    // Still pending: once the actor runs here again, the approval goes through.
    expect((await pantheon.getPendingApprovals()).map((approval) => approval.id)).toEqual([id]);
    await pantheon.startActor('desk');
    await pantheon.approve(id, { by: 'ops' });
    expect((await answer).content).toBe('Result: {"refunded":400}');
    expect(runs).toHaveLength(1);
  });

  it('charges the resumed tick to the conversation budget', async () => {
    const runs: { args: unknown }[] = [];
    const { pantheon } = system(runs);
    await desk(pantheon);
    const requested = nextApproval(pantheon);
    const answer = pantheon.ask('desk', 'refund 300', {
      conversationId: 'c-budget',
      budget: { modelCalls: 10 },
    });
    const approval = await requested;
    expect(pantheon.getConversationBudget('c-budget')?.spent.modelCalls).toBe(1);
    await pantheon.approve(approval.id, { by: 'ops' });
    await answer;
    // The model call after the approval is charged to the same conversation.
    expect(pantheon.getConversationBudget('c-budget')?.spent.modelCalls).toBe(2);
  });

  it('denies on its own when the timeout passes (virtual time)', async () => {
    vi.useFakeTimers();
    const runs: { args: unknown }[] = [];
    const { pantheon, events } = system(runs, { approvals: { timeoutMs: 60_000 } });
    await desk(pantheon);
    const requested = nextApproval(pantheon);
    const answer = pantheon.ask('desk', 'refund 500', { timeoutMs: 120_000 });
    await vi.advanceTimersByTimeAsync(0);
    const approval = await requested;
    expect(approval.expiresAt).toBe(approval.requestedAt + 60_000);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(await pantheon.getPendingApprovals()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await answer).content).toBe(
      'Result: Error (APPROVAL_EXPIRED): The call of tool "refund" was not approved in time: no decision within 60000 ms',
    );
    await expect(pantheon.approve(approval.id, { by: 'late' })).rejects.toMatchObject({
      code: 'APPROVAL_EXPIRED',
    });
    expect(runs).toEqual([]);
    expect(events).toEqual(['requested refund', 'expired by system']);
  });
});

describe('tool actions and approval', () => {
  it('refuses a tool action whose call needs approval (TOOL_DENIED, needs-approval); the tool does not run', async () => {
    const runs: { args: unknown; context?: ToolExecutionContext }[] = [];
    const direct = scriptWith([
      {
        name: 'pay',
        mode: 'active',
        plan: ({ context }) => ({
          actions: [
            { type: 'tool', name: 'refund', args: { amount: Number(context.at(-1)?.content) } },
          ],
        }),
      },
    ]);
    const { pantheon } = system(runs);
    await pantheon.createActor({ id: 'payer', name: 'payer', script: direct, goals: ['Pay'] });
    await pantheon.startActor('payer');
    const failures: PantheonError[] = [];
    pantheon.on('actor.restarted', ({ error }) => failures.push(error));

    await pantheon.sendMessage('payer', '50');
    await pantheon.sendMessage('payer', '500');
    await pantheon.whenIdle();

    // A small refund needs no approval and runs; a large one is refused, not run unapproved.
    expect(runs.map((run) => run.args)).toEqual([{ amount: 50 }]);
    expect(failures).toEqual([
      expect.objectContaining({
        code: 'TOOL_DENIED',
        details: { reason: 'needs-approval', toolName: 'refund' },
        message: expect.stringContaining('cannot wait for one'),
      }),
    ]);
    await pantheon.shutdown();
  });
});

describe('PantheonSystem: approvals with a durable store', () => {
  function boot(store: FakeMailboxStore, runs: { args: unknown }[]) {
    return system(runs, {
      contextAdapter: store.context,
      actorStateAdapter: store.state,
      store: store as MailboxStore,
    });
  }

  it('keeps a pending approval and its transcript across a restart; the tool runs once', async () => {
    const store = new FakeMailboxStore();
    const runs: { args: unknown }[] = [];
    const first = boot(store, runs);
    await desk(first.pantheon);
    const requested = nextApproval(first.pantheon);
    first.pantheon.ask('desk', 'refund 700', { conversationId: 'c-7' }).catch(() => {});
    const approval = await requested;
    // The message that asked is acknowledged together with the stored approval.
    expect(await store.pending()).toEqual([]);
    expect((await store.approvals()).map((record) => record.status)).toEqual(['pending']);
    await first.pantheon.shutdown({ drain: false });

    // The next process: the approval is still pending there.
    const second = boot(store, runs);
    expect((await second.pantheon.getPendingApprovals()).map((pending) => pending.id)).toEqual([
      approval.id,
    ]);
    const replies: string[] = [];
    second.pantheon.on('reply', ({ message }) => replies.push(message.content));
    await second.pantheon.startActor('desk');
    await second.pantheon.approve(approval.id, { by: 'ops' });
    await second.pantheon.whenIdle();
    expect(replies).toEqual(['Result: {"refunded":700}']);
    expect(runs).toHaveLength(1);
    expect(await store.approvals()).toEqual([]);
    expect((await store.approval(approval.id))?.settled).toBe(true);
    await expect(second.pantheon.approve(approval.id, { by: 'ops' })).rejects.toMatchObject({
      code: 'APPROVAL_ALREADY_DECIDED',
    });
    expect(store.context.history.get('desk/c-7')?.map((message) => message.content)).toEqual([
      'refund 700',
      'Result: {"refunded":700}',
    ]);
  });
});
