import type { JsonSchema, ToolSpec, ValidationIssue } from '@promethean-os/pantheon-core';
import { issuesOf, isZodSchema } from '@promethean-os/pantheon-core/adapter-kit';
import { Ajv, type ErrorObject } from 'ajv';

/** Checks a tool's arguments; returns them (with schema defaults applied) or the issues. */
export type ArgumentValidator = (
  args: Record<string, unknown>,
) => { ok: true; args: Record<string, unknown> } | { ok: false; issues: ValidationIssue[] };

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });

function ajvIssue(error: ErrorObject): ValidationIssue {
  const path = error.instancePath.split('/').filter(Boolean).join('.');
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return { path: path ? `${path}.${missing}` : missing, message: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    const extra = String(error.params.additionalProperty);
    return { path: path ? `${path}.${extra}` : extra, message: 'is not allowed' };
  }
  return { path: path || '(root)', message: error.message ?? error.keyword };
}

/**
 * Compiles a tool's parameters (JSON Schema through Ajv, or zod) once into a validator.
 * Defaults declared in the schema are applied to a copy of the arguments.
 */
export function compileArgumentValidator(tool: ToolSpec): ArgumentValidator {
  const parameters = tool.parameters;
  if (isZodSchema(parameters)) {
    return (args) => {
      const parsed = parameters.safeParse(args) as
        | { success: true; data: Record<string, unknown> }
        | { success: false; error: Parameters<typeof issuesOf>[0] };
      return parsed.success
        ? { ok: true, args: parsed.data }
        : { ok: false, issues: issuesOf(parsed.error) };
    };
  }
  const validate = ajv.compile(parameters as JsonSchema);
  // Ajv writes defaults into the object it validates: copy the caller's arguments only then.
  const appliesDefaults = JSON.stringify(parameters).includes('"default"');
  return (args) => {
    const copy = appliesDefaults ? structuredClone(args) : args;
    return validate(copy)
      ? { ok: true, args: copy }
      : { ok: false, issues: (validate.errors ?? []).map(ajvIssue) };
  };
}
