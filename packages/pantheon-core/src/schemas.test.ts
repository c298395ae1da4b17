import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ActionSchema, BusMessageSchema, MessageSchema } from './schemas';
import { check } from './validation';

const oddValues: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'user',
  'normal',
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  ['x'],
  {},
  { a: 1 },
  Object.create(null),
  new Date(0),
  () => {},
];

/** Every way to spoil `base` one field at a time: each odd value in each field, or the field gone. */
function variants(base: Record<string, unknown>, extraFields: string[]): unknown[] {
  const out: unknown[] = [base, ...oddValues];
  for (const field of [...Object.keys(base), ...extraFields]) {
    const without = { ...base };
    delete without[field];
    out.push(without);
    for (const value of oddValues) out.push({ ...base, [field]: value });
  }
  return out;
}

function expectCheckToAgree(schema: z.ZodType, values: unknown[]) {
  for (const value of values) {
    expect({ value, ok: check(schema, value).ok }).toEqual({
      value,
      ok: schema.safeParse(value).success,
    });
  }
}

// `check` takes a fast path for common shapes; whatever it accepts, the schema must accept too.
describe('check agrees with the schema on every value', () => {
  it('messages', () => {
    const fields = ['name', 'images', 'toolCalls', 'toolCallId', 'metadata'];
    expectCheckToAgree(MessageSchema, [
      ...variants({ role: 'assistant', content: 'hi' }, fields),
      ...variants({ role: 'tool', content: '4', name: 'add', toolCallId: 'c1', metadata: {} }, []),
      ...variants({ role: 'user', content: '', toolCalls: [{ id: 'c', name: 't', args: {} }] }, []),
    ]);
  });

  it('actions', () => {
    expectCheckToAgree(ActionSchema, [
      ...variants({ type: 'message', content: 'hi' }, ['target', 'priority']),
      ...variants({ type: 'message', content: 'hi', target: 'a-2', priority: 'high' }, []),
      ...variants({ type: 'tool', name: 'add', args: { a: 1 } }, ['timeout']),
      ...variants({ type: 'wait', duration: 5 }, ['reason']),
    ]);
  });

  it('bus messages', () => {
    const base = { from: 'a', to: 'b', content: 'hi' };
    expectCheckToAgree(BusMessageSchema, [
      ...variants(base, ['id', 'timestamp', 'priority', 'correlationId', 'metadata']),
      ...variants(
        { ...base, id: 'm1', timestamp: 1, priority: 'low', correlationId: '', metadata: {} },
        [],
      ),
    ]);
  });
});
