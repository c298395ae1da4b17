import type { Actor, Behavior } from '../types';

/**
 * The behaviors that run in a tick: `active` and `persistent` ones when there is input,
 * `passive` and `persistent` ones otherwise; higher `priority` first, then declaration order.
 */
export function selectBehaviors(actor: Actor, hasUserInput: boolean): Behavior[] {
  const wanted = hasUserInput ? 'active' : 'passive';
  const selected: Behavior[] = [];
  let prioritized = false;
  for (const talent of actor.script.talents) {
    for (const behavior of talent.behaviors) {
      if (behavior.mode === wanted || behavior.mode === 'persistent') {
        selected.push(behavior);
        if (behavior.priority) prioritized = true;
      }
    }
  }
  // Array.prototype.sort is stable, so equal priorities keep declaration order.
  return prioritized ? selected.sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)) : selected;
}
