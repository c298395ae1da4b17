import { describe, expect, it } from 'vitest';
import { isAction, isActor, isMessage, isToolSpec } from './guards';
import { ActionSchema } from './schemas';
import { check } from './validation';

describe('guards', () => {
  it('isMessage checks role and content', () => {
    expect(isMessage({ role: 'user', content: 'hi' })).toBe(true);
    expect(isMessage({ role: 'robot', content: 'hi' })).toBe(false);
    expect(
      isMessage({ role: 'assistant', content: '', toolCalls: [{ id: '1', name: 't', args: {} }] }),
    ).toBe(true);
    expect(isMessage({ role: 'assistant', content: '', toolCalls: [{ id: '1', name: 't' }] })).toBe(
      false,
    );
  });

  it('isAction accepts every action type and rejects unknown ones', () => {
    const actions = [
      { type: 'message', content: 'hi', target: 'user', priority: 'high' },
      { type: 'tool', name: 'search', args: { q: 'x' }, timeout: 100 },
      { type: 'spawn', actor: { name: 's', talents: [], contextSources: [] }, goal: 'g' },
      { type: 'wait', duration: 10 },
      { type: 'context', operation: 'write', target: 'notes', data: [1] },
    ];
    for (const action of actions) expect(isAction(action)).toBe(true);
    expect(isAction({ type: 'teleport' })).toBe(false);
    expect(isAction({ type: 'wait', duration: -1 })).toBe(false);
  });

  it('names the offending field of a malformed action', () => {
    const result = check(ActionSchema, { type: 'message', content: 42 }, 'actions[0]');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('actions[0].content');
    const unknown = check(ActionSchema, { type: 'teleport' }, 'actions[1]');
    if (unknown.ok) throw new Error('expected a failure');
    expect(unknown.issues[0]?.path).toBe('actions[1].type');
  });

  it('isActor needs behaviors with a plan function', () => {
    const script = {
      name: 's',
      talents: [
        { name: 't', behaviors: [{ name: 'b', mode: 'active', plan: () => ({ actions: [] }) }] },
      ],
      contextSources: [],
    };
    expect(isActor({ id: 'a', script, goals: [] })).toBe(true);
    const broken = {
      ...script,
      talents: [{ name: 't', behaviors: [{ name: 'b', mode: 'active' }] }],
    };
    expect(isActor({ id: 'a', script: broken, goals: [] })).toBe(false);
  });

  it('isToolSpec needs name, description, parameters and execute', () => {
    const tool = { name: 't', description: 'd', parameters: { type: 'object' }, execute: () => 1 };
    expect(isToolSpec(tool)).toBe(true);
    expect(isToolSpec({ ...tool, execute: undefined })).toBe(false);
    expect(isToolSpec({ ...tool, name: '' })).toBe(false);
    expect(isToolSpec('tool')).toBe(false);
  });
});
