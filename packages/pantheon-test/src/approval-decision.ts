import type {
  ApprovalDecision,
  BehaviorInput,
  BehaviorPlan,
  ResumeInput,
} from '@promethean-os/pantheon-core';
import { invalidArgument } from '@promethean-os/pantheon-core/adapter-kit';
import { copyData } from './internal/copy-data';

/** How the person decided, for `approvalResumeInput`. */
export interface TestApprovalDecision {
  /** Default `'approved'`. */
  decision?: ApprovalDecision;
  /** Who decided. Default `'tester'` (`'system'` for `'expired'`). */
  by?: string;
  note?: string;
  /** Why it was denied or expired. */
  reason?: string;
  /** Default `'approval-1'`. */
  approvalId?: string;
  /** Default 0. */
  decidedAt?: number;
}

/**
 * The input of `behavior.resume` once a person decided on the tool call `plan` held back
 * (`plan.awaitApproval`) — what `PantheonSystem` builds after `approve` or `deny` — so a unit
 * test can drive a behavior that needs approval without a running system. The stored state is
 * copied, as a durable store would hand it back. A plan that held nothing back is
 * `INVALID_ARGUMENT`.
 *
 * @example
 * const plan = await behavior.plan(input);
 * expect(plan.awaitApproval?.toolCall.name).toBe('refund');
 * expect(tools.getCalls('refund')).toHaveLength(0);
 * const resumed = await behavior.resume!(approvalResumeInput(input, plan, { by: 'ops' }));
 * expect(tools.getCalls('refund')[0].options.approval).toEqual({ id: 'approval-1', by: 'ops' });
 */
export function approvalResumeInput(
  input: BehaviorInput,
  plan: BehaviorPlan,
  decision: TestApprovalDecision = {},
): ResumeInput {
  const held = plan?.awaitApproval;
  if (!held) {
    throw invalidArgument('approvalResumeInput', [
      { path: 'plan.awaitApproval', message: 'the plan held no tool call back for approval' },
    ]);
  }
  const outcome: ResumeInput['approval'] = {
    approvalId: decision.approvalId ?? 'approval-1',
    toolCall: copyData(held.toolCall),
    decision: decision.decision ?? 'approved',
    by: decision.by ?? (decision.decision === 'expired' ? 'system' : 'tester'),
    decidedAt: decision.decidedAt ?? 0,
  };
  if (decision.note !== undefined) outcome.note = decision.note;
  if (decision.reason !== undefined) outcome.reason = decision.reason;
  return { ...input, approval: outcome, state: copyData(held.state) };
}
