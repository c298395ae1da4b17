import { fromJSONSchema, toJSONSchema, type z } from 'zod';
import type * as zc from 'zod/v4/core';
import { LlmError } from './errors';
import type { LlmCompleteOptions, LlmOutputSchema, LlmOutputSpec, LlmPort } from './ports/llm-port';
import { isJsonObject } from './tool-call-arguments';
import { isZodSchema } from './tool-parameters';
import type { JsonSchema, Message, ToolCall } from './types';
import { formatPath, type ValidationIssue } from './validation';

/** The type of the value a schema describes: a zod schema's output type, `unknown` for JSON Schema. */
export type OutputOf<Schema> = Schema extends zc.$ZodType ? zc.output<Schema> : unknown;

/** A model reply carrying its structured output. */
export type OutputReply<T> = Message & { output: T };

/** A model reply that asks for tools instead of answering (no `output` yet). */
export type ToolCallReply = Message & { output?: undefined; toolCalls: ToolCall[] };

/** An `LlmOutputSpec` checked and prepared for an adapter (see `llmOutput`). */
export interface LlmOutput {
  /** The schema's name (default `'output'`). */
  readonly name: string;
  readonly description: string | undefined;
  /** Whether a provider with a strict mode should use it (default `true`). */
  readonly strict: boolean;
  /** The schema as JSON Schema (zod schemas converted), for the provider's request. */
  readonly jsonSchema: JsonSchema;
  /**
   * The reply with `output` set to its parsed and validated content. A reply that asks for tools
   * is returned as it is (the answer comes later); any other reply whose content is not JSON
   * matching the schema is an `LlmError` `LLM_OUTPUT_INVALID` with `details.issues`.
   */
  parse(reply: Message): Message;
}

const OUTPUT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const validators = new WeakMap<object, z.ZodType>();

function badOutputSpec(reason: string, provider: string | undefined): LlmError {
  return new LlmError(
    `Invalid output option: ${reason}`,
    {},
    { code: 'LLM_BAD_REQUEST', provider, retryable: false },
  );
}

function validatorOf(schema: LlmOutputSchema, provider: string | undefined): z.ZodType {
  if (isZodSchema(schema)) return schema as unknown as z.ZodType;
  let validator = validators.get(schema);
  if (validator === undefined) {
    try {
      validator = fromJSONSchema(schema as Parameters<typeof fromJSONSchema>[0]);
    } catch (error) {
      throw badOutputSpec(
        `its JSON Schema cannot be used to validate replies: ${error instanceof Error ? error.message : String(error)}`,
        provider,
      );
    }
    validators.set(schema, validator);
  }
  return validator;
}

/**
 * The JSON Schema the model must answer with. A zod schema is described by its input side — what
 * it parses — so transforms and defaults apply to the model's answer.
 */
function jsonSchemaOf(schema: LlmOutputSchema, provider: string | undefined): JsonSchema {
  if (!isZodSchema(schema)) return schema;
  try {
    const { $schema: _ignored, ...jsonSchema } = toJSONSchema(schema as unknown as z.ZodType, {
      io: 'input',
    }) as JsonSchema;
    return jsonSchema;
  } catch (error) {
    throw badOutputSpec(
      `its zod schema has no JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
      provider,
    );
  }
}

/** The text inside one Markdown code fence, which some models put around JSON despite the schema. */
function unfenced(text: string): string {
  const fenced = /^\s*```[A-Za-z]*\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return fenced ? (fenced[1] ?? '') : text;
}

function outputInvalid(
  output: LlmOutput,
  reply: Message,
  issues: ValidationIssue[],
  provider: string | undefined,
  cause?: unknown,
): LlmError {
  const described = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new LlmError(
    `The model's reply does not match the output schema "${output.name}": ${described}`,
    { name: output.name, issues, content: reply.content.slice(0, 4000) },
    { code: 'LLM_OUTPUT_INVALID', provider, retryable: false, cause },
  );
}

/**
 * Checks a call's `output` option and prepares it for an adapter: the JSON Schema to send, and
 * `parse` to turn the reply's text into the validated `output` — one implementation for every
 * adapter, so a reply that does not match fails the same way everywhere (`LLM_OUTPUT_INVALID`).
 * A malformed option (no schema object, a bad name) is an `LlmError` `LLM_BAD_REQUEST`.
 *
 * @example
 * const output = options.output && llmOutput(options.output, 'acme');
 * if (output) request.response_format = { name: output.name, schema: output.jsonSchema };
 * const reply = fromAcmeReply(await client.chat(request));
 * return output ? output.parse(reply) : reply;
 */
export function llmOutput(spec: LlmOutputSpec, provider?: string): LlmOutput {
  if (!isJsonObject(spec) || !isJsonObject(spec.schema)) {
    throw badOutputSpec('expected { schema } with a zod schema or a JSON Schema object', provider);
  }
  const name = spec.name ?? 'output';
  if (typeof name !== 'string' || !OUTPUT_NAME.test(name)) {
    throw badOutputSpec(
      `name ${JSON.stringify(name)} must be 1 to 64 letters, digits, "_" or "-"`,
      provider,
    );
  }
  if (spec.description !== undefined && typeof spec.description !== 'string') {
    throw badOutputSpec('description must be a string', provider);
  }
  if (spec.strict !== undefined && typeof spec.strict !== 'boolean') {
    throw badOutputSpec('strict must be a boolean', provider);
  }
  const validator = validatorOf(spec.schema, provider);
  const output: LlmOutput = {
    name,
    description: spec.description,
    strict: spec.strict ?? true,
    jsonSchema: jsonSchemaOf(spec.schema, provider),
    parse(reply) {
      if (reply.toolCalls?.length) return reply;
      const refusal = reply.metadata?.refusal;
      if (typeof refusal === 'string' && refusal !== '') {
        throw outputInvalid(
          output,
          reply,
          [{ path: '(root)', message: `the model refused: ${refusal}` }],
          provider,
        );
      }
      let value: unknown;
      try {
        value = JSON.parse(unfenced(reply.content));
      } catch (error) {
        const preview = reply.content === '' ? 'an empty reply' : 'text that is not JSON';
        throw outputInvalid(
          output,
          reply,
          [{ path: '(root)', message: `expected JSON, received ${preview}` }],
          provider,
          error,
        );
      }
      const parsed = validator.safeParse(value);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => ({
          path: formatPath(issue.path),
          message: issue.message,
        }));
        throw outputInvalid(output, reply, issues, provider);
      }
      return { ...reply, output: parsed.data };
    },
  };
  return output;
}

/**
 * `llm.complete` with a structured `output`, its value typed from the schema: a zod schema's
 * output type, `unknown` for a JSON Schema. The adapter validates the reply (`LLM_OUTPUT_INVALID`
 * when it does not match); for an adapter that ignores `output`, the reply's text is parsed and
 * validated here. With `tools`, the reply may ask for tools instead (`toolCalls`, no `output`).
 *
 * @example
 * const Weather = z.object({ city: z.string(), celsius: z.number() });
 * const reply = await completeOutput(llm, [{ role: 'user', content: 'Weather in Paris?' }], {
 *   output: { schema: Weather, name: 'weather' },
 * });
 * reply.output.celsius; // number
 */
export function completeOutput<Schema extends LlmOutputSchema>(
  llm: LlmPort,
  messages: Message[],
  options: LlmCompleteOptions & { output: LlmOutputSpec<Schema>; tools?: undefined },
): Promise<OutputReply<OutputOf<Schema>>>;
export function completeOutput<Schema extends LlmOutputSchema>(
  llm: LlmPort,
  messages: Message[],
  options: LlmCompleteOptions & { output: LlmOutputSpec<Schema> },
): Promise<OutputReply<OutputOf<Schema>> | ToolCallReply>;
export async function completeOutput(
  llm: LlmPort,
  messages: Message[],
  options: LlmCompleteOptions & { output: LlmOutputSpec },
): Promise<Message> {
  const output = llmOutput(options.output);
  const reply = await llm.complete(messages, options);
  if (reply.output !== undefined || reply.toolCalls?.length) return reply;
  return output.parse(reply);
}
