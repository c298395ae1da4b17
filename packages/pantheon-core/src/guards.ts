import { ActionSchema, ActorSchema, MessageSchema } from './schemas';
import type { Action, Actor, Message, ToolSpec } from './types';
import { check } from './validation';

/** True when `value` is a well-formed `Message`. */
export function isMessage(value: unknown): value is Message {
  return check(MessageSchema, value).ok;
}

/** True when `value` is a well-formed `Action` of a known type. */
export function isAction(value: unknown): value is Action {
  return check(ActionSchema, value).ok;
}

/** True when `value` is a well-formed `Actor` (behaviors must have a `plan` function). */
export function isActor(value: unknown): value is Actor {
  return ActorSchema.safeParse(value).success;
}

/** True when `value` has what a tool needs: a name, a description, parameters and `execute`. */
export function isToolSpec(value: unknown): value is ToolSpec {
  if (typeof value !== 'object' || value === null) return false;
  const tool = value as Partial<ToolSpec>;
  return (
    typeof tool.name === 'string' &&
    tool.name.length > 0 &&
    typeof tool.description === 'string' &&
    typeof tool.parameters === 'object' &&
    tool.parameters !== null &&
    typeof tool.execute === 'function'
  );
}
