import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from './define-tool';
import { isToolSpec } from './guards';
import { toolParametersToJsonSchema } from './tool-parameters';
import type { ToolSpec } from './types';

describe('defineTool', () => {
  it('infers execute’s arguments from a zod schema', async () => {
    const lookup = defineTool({
      name: 'lookup-invoices',
      description: 'Invoices of a customer',
      parameters: z.object({ customerId: z.string(), limit: z.number().int().default(5) }),
      async execute({ customerId, limit }) {
        expectTypeOf(customerId).toEqualTypeOf<string>();
        expectTypeOf(limit).toEqualTypeOf<number>();
        return `${limit} invoices of ${customerId}`;
      },
    });
    expectTypeOf(lookup).toExtend<ToolSpec>();
    expect(isToolSpec(lookup)).toBe(true);
    expect(await lookup.execute({ customerId: 'c-1', limit: 2 })).toBe('2 invoices of c-1');
    expect(toolParametersToJsonSchema(lookup.parameters)).toMatchObject({
      type: 'object',
      properties: { customerId: { type: 'string' }, limit: { type: 'integer', default: 5 } },
    });
  });

  it('rejects, at compile time, an execute that disagrees with its schema', () => {
    // @ts-expect-error count is a number, not a string
    defineTool({
      name: 'typed',
      description: 'typed',
      parameters: z.object({ count: z.number() }),
      execute(args: { count: string }) {
        return args.count;
      },
    });
  });

  it('keeps JSON-Schema tools working, typed by the caller', async () => {
    const weather = defineTool<{ location: string }>({
      name: 'get-weather',
      description: 'Weather for a location',
      parameters: {
        type: 'object',
        properties: { location: { type: 'string' } },
        required: ['location'],
      },
      async execute({ location }) {
        expectTypeOf(location).toEqualTypeOf<string>();
        return `Sunny in ${location}`;
      },
    });
    expect(await weather.execute({ location: 'Oslo' })).toBe('Sunny in Oslo');
  });
});
