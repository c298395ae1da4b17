import { errorMessage, PantheonError, ToolError } from './errors';

/** The `TOOL_TIMEOUT` error of a tool that did not finish within `timeoutMs`. */
export function toolTimeoutError(toolName: string, timeoutMs: number): ToolError {
  return new ToolError(
    `Tool "${toolName}" timed out after ${timeoutMs} ms`,
    toolName,
    { timeoutMs },
    {
      code: 'TOOL_TIMEOUT',
    },
  );
}

/** A tool's failure as a Pantheon error: Pantheon errors as they are, anything else as `TOOL_FAILED`. */
export function toolFailure(toolName: string, error: unknown): PantheonError {
  return PantheonError.isInstance(error)
    ? error
    : new ToolError(`Tool "${toolName}" failed: ${errorMessage(error)}`, toolName, undefined, {
        code: 'TOOL_FAILED',
        cause: error,
      });
}
