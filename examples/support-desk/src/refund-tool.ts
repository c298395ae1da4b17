import { defineTool } from '@promethean-os/pantheon-core';
import { AGENT_REFUND_LIMIT_EUR } from './policies';

/** The name of the tool a supervisor pays refunds with. */
export const REFUND_TOOL = 'issue-refund';

export interface RefundArgs {
  /** Whole euros. */
  amount: number;
  /** The booking or sailing the refund is for. */
  reason: string;
}

/** A refund the payment system paid, with the approval it ran under. */
export interface PaidRefund extends RefundArgs {
  approvedBy: string | undefined;
}

/**
 * `issue-refund`: pays a refund to the customer's original payment method. Refunds above the
 * agent's €100 limit need a person from finance to approve the payout: `needsApproval` makes
 * `llmBehavior` hold such a call back until `PantheonSystem.approve` (or `deny`) decides it, and
 * only then does `execute` run — with the approval in its context.
 */
export function refundTool(paid: PaidRefund[]) {
  return defineTool<RefundArgs>({
    name: REFUND_TOOL,
    description:
      'Pays a refund to the customer. Refunds above €100 wait for a person from finance to approve them.',
    parameters: {
      type: 'object',
      properties: {
        amount: { type: 'number', exclusiveMinimum: 0, description: 'Whole euros' },
        reason: { type: 'string', minLength: 1, description: 'The booking or sailing' },
      },
      required: ['amount', 'reason'],
      additionalProperties: false,
    },
    needsApproval: ({ amount }) => amount > AGENT_REFUND_LIMIT_EUR,
    execute({ amount, reason }, context) {
      paid.push({ amount, reason, approvedBy: context?.approval?.by });
      return { refunded: amount, currency: 'EUR', reference: `RF-${1000 + paid.length}` };
    },
  });
}
