import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type ContextSource,
  type DeadLetter,
  type LlmPort,
  llmBehavior,
  type PantheonError,
  PantheonSystem,
  type PendingApproval,
} from '@promethean-os/pantheon-core';
import { ESCALATE_TOOL, EscalateTool, escalatingBehavior } from './escalation';
import { SUPERVISOR_REFUND_LIMIT_EUR, SUPPORT_POLICIES } from './policies';
import { type PaidRefund, REFUND_TOOL, refundTool } from './refund-tool';
import { withToolLog } from './tool-log';
import { DestinationWeatherTool } from './weather-tool';

export const CUSTOMER_SERVICE_ID = 'customer-service-001';
export const SUPERVISOR_ID = 'supervisor-001';

/** What the customer asks, in order: a weather question, then a refund above the agent's limit. */
export const CUSTOMER_QUESTIONS: readonly string[] = [
  "Hi! I'm taking the ferry to Bergen tomorrow. What's the weather like there?",
  'My sailing to Kirkwall last Friday was cancelled and I want a refund of €240 for our two tickets.',
];

const policies: ContextSource = {
  type: 'text',
  content: SUPPORT_POLICIES,
  metadata: { category: 'policies' },
};

const customerServiceScript: ActorScript = {
  name: 'customer-service',
  description: 'Front-line agent of Skerry Ferries',
  talents: [
    {
      name: 'customer-support',
      behaviors: [
        escalatingBehavior({
          name: 'answer-customer',
          system:
            'You are a customer-service agent of Skerry Ferries. Follow the company policies. Use your tools; never invent a forecast.',
          tools: ['get-weather', ESCALATE_TOOL],
          supervisorId: SUPERVISOR_ID,
          target: 'user',
        }),
      ],
    },
  ],
  contextSources: [policies],
};

const supervisorScript: ActorScript = {
  name: 'supervisor',
  description: 'Settles the cases front-line agents escalate',
  talents: [
    {
      name: 'supervision',
      behaviors: [
        llmBehavior({
          name: 'settle-escalation',
          system:
            'You are a customer-service supervisor of Skerry Ferries. An agent has escalated a case to you. Decide it within the company policies, pay an approved refund with the issue-refund tool, and reply to the customer directly, in at most two sentences, starting with "Supervisor here:".',
          tools: [REFUND_TOOL],
          target: 'user',
        }),
      ],
    },
  ],
  contextSources: [policies],
};

/** One step of the conversation, in the order it happened. */
export type DeskEvent =
  | { type: 'question'; to: string; content: string }
  | { type: 'tool'; actorId: string; name: string; args: Record<string, unknown>; result: string }
  | { type: 'message'; from: string; to: string; content: string }
  /** The answer above it reached the customer as a stream of text pieces. */
  | { type: 'streamed'; pieces: number }
  /** A tool call waits for a person (`issue-refund` above €100). */
  | { type: 'approval-requested'; actorId: string; tool: string; args: Record<string, unknown> }
  | {
      type: 'approval-decided';
      tool: string;
      decision: 'approved' | 'denied';
      by: string;
      why?: string;
    };

/** How the person from finance decides on a refund waiting for approval. */
export type FinanceDecision =
  | { approve: true; by: string; note?: string }
  | { approve: false; by: string; reason: string };

/**
 * The default person from finance, for running the example unattended: approves a payout the
 * policies allow a supervisor (up to €500), denies anything else.
 */
export function financeOfficer(approval: PendingApproval): FinanceDecision {
  const amount = Number(approval.args.amount);
  return amount <= SUPERVISOR_REFUND_LIMIT_EUR
    ? { approve: true, by: 'finance@skerry.example', note: 'within the supervisor limit' }
    : { approve: false, by: 'finance@skerry.example', reason: 'above the supervisor limit' };
}

/** What a run of the desk did. */
export interface SupportDeskRun {
  events: DeskEvent[];
  /** Every error a tick recorded (a failing model call, a behavior over its step limit, …). */
  errors: PantheonError[];
  deadLetters: DeadLetter[];
  /** The refunds the payment tool paid, with who approved each. */
  refunds: PaidRefund[];
}

export interface SupportDeskOptions {
  /** The model both actors use: a replay cassette, a scripted model, or a real provider. */
  llm: LlmPort;
  /** Receives one line per conversation step as it happens. */
  log?: (line: string) => void;
  questions?: readonly string[];
  /** Decides refunds waiting for approval; by default `financeOfficer`. */
  approver?: (approval: PendingApproval) => FinanceDecision | Promise<FinanceDecision>;
  /** Receives the answer's text pieces as they stream in (e.g. `process.stdout.write`). */
  onTextDelta?: (delta: string) => void;
}

function formatEvent(event: DeskEvent): string {
  switch (event.type) {
    case 'question':
      return `customer → ${event.to}: ${event.content}`;
    case 'tool':
      return `  ${event.actorId} called ${event.name}(${JSON.stringify(event.args)}) → ${event.result}`;
    case 'message':
      return `${event.from} → ${event.to}: ${event.content}`;
    case 'streamed':
      return `  (streamed to the customer in ${event.pieces} pieces)`;
    case 'approval-requested':
      return `  ${event.actorId} wants ${event.tool}(${JSON.stringify(event.args)}): waiting for finance`;
    case 'approval-decided':
      return `  finance ${event.decision} ${event.tool} (${event.by}${event.why ? `: ${event.why}` : ''})`;
  }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Runs the support desk: a customer-service actor (the model answers with the weather tool and the
 * policies, and decides when to escalate) and a supervisor actor, who pays refunds with
 * `issue-refund` — above €100 only once a person from finance (`approver`) approves — in one
 * `PantheonSystem`. Each question is streamed to the customer-service actor (`system.stream`) and
 * fully handled (escalation, approval and the supervisor's reply included) before the next one.
 */
export async function runSupportDesk(options: SupportDeskOptions): Promise<SupportDeskRun> {
  const {
    llm,
    log = () => {},
    questions = CUSTOMER_QUESTIONS,
    approver = financeOfficer,
  } = options;
  const refunds: PaidRefund[] = [];
  const events: DeskEvent[] = [];
  const errors: PantheonError[] = [];
  const record = (event: DeskEvent) => {
    events.push(event);
    log(formatEvent(event));
  };

  const tools = new InMemoryToolAdapter();
  tools.register(new DestinationWeatherTool());
  tools.register(new EscalateTool(SUPERVISOR_ID));
  tools.register(refundTool(refunds));
  const messageBus = new InMemoryMessageBus();
  messageBus.subscribe(({ from, to, content }) => record({ type: 'message', from, to, content }));
  const scheduler = new NodeScheduler();

  const system = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter(),
    toolAdapter: withToolLog(tools, (call) =>
      record({
        type: 'tool',
        actorId: call.actorId ?? '(unknown actor)',
        name: call.name,
        args: call.args,
        result: call.ok
          ? asText(call.result)
          : `failed: ${call.error instanceof Error ? call.error.message : String(call.error)}`,
      }),
    ),
    llmAdapter: llm,
    messageBus,
    scheduler,
    actorStateAdapter: new InMemoryActorStateAdapter(),
    hooks: { onTickEnd: ({ result }) => errors.push(...result.errors) },
  });

  // A refund above €100 waits for finance: the desk asks the approver and passes the decision on.
  const decisions: Promise<void>[] = [];
  system.on('approval.requested', ({ approval }) => {
    const { actorId, tool, args } = approval;
    record({ type: 'approval-requested', actorId, tool, args });
    decisions.push(
      (async () => {
        const decision = await approver(approval);
        if (decision.approve) {
          record({ type: 'approval-decided', tool, decision: 'approved', by: decision.by });
          await system.approve(approval.id, { by: decision.by, note: decision.note });
        } else {
          const { by, reason } = decision;
          record({ type: 'approval-decided', tool, decision: 'denied', by, why: reason });
          await system.deny(approval.id, { by, reason });
        }
      })(),
    );
  });
  /** Waits until the actors are idle and no approval is being decided. */
  async function settled(): Promise<void> {
    for (;;) {
      await system.whenIdle();
      if (decisions.length === 0) return;
      await Promise.all(decisions.splice(0));
    }
  }

  try {
    await system.createActor({
      id: CUSTOMER_SERVICE_ID,
      name: 'Customer service',
      script: customerServiceScript,
      goals: ['Provide excellent service', 'Escalate what the policies reserve for a supervisor'],
    });
    await system.createActor({
      id: SUPERVISOR_ID,
      name: 'Supervisor',
      script: supervisorScript,
      goals: ['Settle escalated cases within the policies'],
    });
    await system.startActor(CUSTOMER_SERVICE_ID);
    await system.startActor(SUPERVISOR_ID);

    // One customer, one conversation: each question sees the answers to the earlier ones.
    const conversationId = 'customer-conversation';
    for (const question of questions) {
      record({ type: 'question', to: CUSTOMER_SERVICE_ID, content: question });
      // The answer streams to the customer as the model writes it.
      let pieces = 0;
      let answered = false;
      for await (const event of system.stream(CUSTOMER_SERVICE_ID, question, { conversationId })) {
        if (event.type === 'text-delta') {
          pieces++;
          options.onTextDelta?.(event.delta);
        }
        if (event.type === 'message') answered = true;
      }
      if (answered && pieces > 0) record({ type: 'streamed', pieces });
      await settled();
    }
  } finally {
    await system.shutdown();
    scheduler.stopAll();
  }
  return { events, errors, deadLetters: system.getDeadLetters(), refunds };
}
