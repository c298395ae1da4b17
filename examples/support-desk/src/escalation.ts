import {
  type Behavior,
  type LlmBehaviorOptions,
  llmBehavior,
  type MessageAction,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { withToolLog } from './tool-log';

/** The name of the tool the model calls to hand a case to the supervisor. */
export const ESCALATE_TOOL = 'escalate-to-supervisor';

export interface EscalationArgs {
  /** Why the agent cannot settle the case itself. */
  reason: string;
  /** What the supervisor needs to know: the customer's request, amounts, bookings. */
  summary: string;
}

/**
 * `escalate-to-supervisor`: the model's way of handing a case on. The tool itself only confirms;
 * the message to the supervisor is sent by `escalatingBehavior` as a `message` action, so it goes
 * through the bus (and the supervisor's mailbox) like any other actor-to-actor message.
 */
export class EscalateTool implements ToolSpec {
  name = ESCALATE_TOOL;
  description =
    'Hands the case to a supervisor, who then replies to the customer directly. Use it whenever the policies say a case needs a supervisor.';
  parameters = {
    type: 'object',
    properties: {
      reason: { type: 'string', minLength: 1, description: 'Why a supervisor is needed' },
      summary: {
        type: 'string',
        minLength: 1,
        description: "The customer's request, with amounts and bookings",
      },
    },
    required: ['reason', 'summary'],
    additionalProperties: false,
  };

  constructor(private readonly supervisorId: string) {}

  async execute(args: EscalationArgs): Promise<string> {
    return `Escalated to supervisor ${this.supervisorId} (reason: ${args.reason}). Tell the customer that a supervisor will reply to them directly; do not promise the outcome.`;
  }
}

/** The message the supervisor receives for one escalation. */
export function escalationMessage(fromActorId: string, args: EscalationArgs): string {
  return `Escalation from ${fromActorId}. Reason: ${args.reason}. Summary: ${args.summary}`;
}

/** Settings of `escalatingBehavior`: those of `llmBehavior` plus the supervisor's actor id. */
export interface EscalatingBehaviorOptions extends LlmBehaviorOptions {
  supervisorId: string;
}

/**
 * `llmBehavior` whose model may escalate: every successful `escalate-to-supervisor` call the model
 * makes while planning becomes a `message` action to `supervisorId` (priority `high`), sent after
 * the model's answer to the customer. A call the tool adapter rejects (e.g. invalid arguments)
 * is fed back to the model as an error and escalates nothing. Offer the tool with
 * `tools: [..., ESCALATE_TOOL]` and register an `EscalateTool`.
 */
export function escalatingBehavior(options: EscalatingBehaviorOptions): Behavior {
  const { supervisorId, ...llmOptions } = options;
  const inner = llmBehavior(llmOptions);
  return {
    ...inner,
    async plan(input) {
      const escalations: EscalationArgs[] = [];
      const tools = withToolLog(input.tools, (call) => {
        if (call.name === ESCALATE_TOOL && call.ok) {
          escalations.push(call.args as unknown as EscalationArgs);
        }
      });
      const plan = await inner.plan({ ...input, tools });
      const handOver = escalations.map(
        (args): MessageAction => ({
          type: 'message',
          target: supervisorId,
          priority: 'high',
          content: escalationMessage(input.actor.id, args),
        }),
      );
      return { ...plan, actions: [...plan.actions, ...handOver] };
    },
  };
}
