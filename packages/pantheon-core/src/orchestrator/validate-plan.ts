import { BehaviorError } from '../errors';
import { ActionSchema } from '../schemas';
import type { Action, Actor, BehaviorPlan } from '../types';
import { check, describeIssues, type ValidationIssue } from '../validation';
import { spawnDepthOf } from './limits';
import type { OrchestratorLimits } from './types';

/** How much of the tick's budget earlier plans used. */
export interface TickBudget {
  actions: number;
  spawns: number;
}

/** A malformed action, named by the field that is wrong. */
export function invalidAction(behaviorName: string, issues: ValidationIssue[]): BehaviorError {
  return new BehaviorError(
    `Behavior "${behaviorName}" planned an invalid action: ${describeIssues(issues)}`,
    behaviorName,
    { issues },
    { code: 'INVALID_ACTION' },
  );
}

function limitExceeded(
  behaviorName: string,
  limit: keyof OrchestratorLimits,
  value: number,
  max: number,
): BehaviorError {
  return new BehaviorError(
    `Behavior "${behaviorName}" exceeds ${limit} (${value} > ${max})`,
    behaviorName,
    { limit, value, max },
    { code: 'LIMIT_EXCEEDED' },
  );
}

/**
 * Accepts a plan whole or rejects it whole: every action must be well formed and the plan must
 * fit the tick's remaining limits. On success the budget is charged.
 */
export function validatePlan(
  plan: unknown,
  behaviorName: string,
  actor: Actor,
  limits: OrchestratorLimits,
  budget: TickBudget,
): BehaviorPlan | BehaviorError {
  if (typeof plan !== 'object' || plan === null || !Array.isArray((plan as BehaviorPlan).actions)) {
    return invalidAction(behaviorName, [
      { path: 'actions', message: 'a plan must be an object with an `actions` array' },
    ]);
  }
  const actions: unknown[] = (plan as BehaviorPlan).actions;
  const issues: ValidationIssue[] = [];
  let spawns = 0;
  let longestWait = 0;
  for (let index = 0; index < actions.length; index++) {
    const checked = check<Action>(ActionSchema, actions[index], `actions[${index}]`);
    if (!checked.ok) {
      issues.push(...checked.issues);
      continue;
    }
    if (checked.value.type === 'spawn') spawns++;
    else if (checked.value.type === 'wait')
      longestWait = Math.max(longestWait, checked.value.duration);
  }
  if (issues.length > 0) return invalidAction(behaviorName, issues);

  const totalActions = budget.actions + actions.length;
  if (totalActions > limits.maxActionsPerTick)
    return limitExceeded(behaviorName, 'maxActionsPerTick', totalActions, limits.maxActionsPerTick);
  if (spawns > 0) {
    const totalSpawns = budget.spawns + spawns;
    if (totalSpawns > limits.maxSpawnsPerTick)
      return limitExceeded(behaviorName, 'maxSpawnsPerTick', totalSpawns, limits.maxSpawnsPerTick);
    const depth = spawnDepthOf(actor.metadata) + 1;
    if (depth > limits.maxSpawnDepth)
      return limitExceeded(behaviorName, 'maxSpawnDepth', depth, limits.maxSpawnDepth);
  }
  if (longestWait > limits.maxWaitMs)
    return limitExceeded(behaviorName, 'maxWaitMs', longestWait, limits.maxWaitMs);

  budget.actions = totalActions;
  budget.spawns += spawns;
  return plan as BehaviorPlan;
}
