import type * as z from 'zod/v4/core';
import type { JsonSchema, ToolExecutionContext, ToolSpec } from './types';

/** A tool whose arguments are described by a zod schema; `execute` gets them typed. */
export interface ZodToolDefinition<Schema extends z.$ZodType>
  extends Omit<ToolSpec, 'parameters' | 'execute'> {
  parameters: Schema;
  execute(args: z.output<Schema>, context?: ToolExecutionContext): unknown;
}

/** A tool whose arguments are described by a JSON Schema; type `Args` yourself. */
export interface JsonSchemaToolDefinition<Args> extends Omit<ToolSpec<Args>, 'parameters'> {
  parameters: JsonSchema;
}

/**
 * Declares a tool. With a zod schema as `parameters`, `execute`'s argument type is inferred from
 * it (as the AI SDK's `tool()` does); the tool port validates arguments against the schema before
 * `execute` runs, and providers are offered its JSON Schema. Plain JSON-Schema tools work as
 * before. Returns the tool unchanged, ready for `ToolPort.register`.
 *
 * @example
 * const lookupInvoices = defineTool({
 *   name: 'lookup-invoices',
 *   description: 'Invoices of a customer',
 *   parameters: z.object({ customerId: z.string(), limit: z.number().int().max(20).default(5) }),
 *   async execute({ customerId, limit }) {  // customerId: string, limit: number
 *     return invoices.find(customerId, limit);
 *   },
 * });
 * tools.register(lookupInvoices);
 */
export function defineTool<Schema extends z.$ZodType>(
  tool: ZodToolDefinition<Schema>,
): ToolSpec<z.output<Schema>>;
export function defineTool<Args = Record<string, unknown>>(
  tool: JsonSchemaToolDefinition<Args>,
): ToolSpec<Args>;
export function defineTool(tool: ToolSpec): ToolSpec {
  return tool;
}
