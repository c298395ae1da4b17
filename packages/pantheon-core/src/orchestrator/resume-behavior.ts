import type { ApprovalRequest } from '../approval-types';
import { BehaviorError } from '../errors';
import type { Actor, Behavior, BehaviorInput, BehaviorPlan } from '../types';
import type { TickInput } from './types';

/** The behavior a resumed tick runs: the one named, whatever its mode. */
export function resumedBehavior(actor: Actor, name: string): Behavior[] {
  for (const talent of actor.script.talents) {
    for (const behavior of talent.behaviors) {
      if (behavior.name === name) return [behavior];
    }
  }
  // Planned as a behavior that fails, so the tick reports it like any other behavior error.
  return [
    {
      name,
      mode: 'active',
      plan() {
        throw new BehaviorError(
          `Actor "${actor.id}" has no behavior "${name}" to resume after an approval (its script changed?)`,
          name,
          { actorId: actor.id },
          { code: 'APPROVAL_UNSUPPORTED' },
        );
      },
    },
  ];
}

/** Calls the behavior's `resume` with the stored state and the decision. */
export function resumeBehavior(
  behavior: Behavior,
  input: BehaviorInput,
  resume: NonNullable<TickInput['resume']>,
): Promise<BehaviorPlan> | BehaviorPlan {
  if (typeof behavior.resume !== 'function') return behavior.plan(input);
  return behavior.resume({ ...input, approval: resume.approval, state: resume.state });
}

/** A call the plan held back, checked: only a behavior that can resume may hold one. */
export function heldForApproval(
  behavior: Behavior,
  request: ApprovalRequest,
): { behavior: string; request: ApprovalRequest } {
  if (typeof behavior.resume !== 'function') {
    throw new BehaviorError(
      `Behavior "${behavior.name}" held a tool call back for approval but has no resume method`,
      behavior.name,
      { tool: request.toolCall?.name },
      { code: 'APPROVAL_UNSUPPORTED' },
    );
  }
  return { behavior: behavior.name, request };
}
