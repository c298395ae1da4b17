import { abortError } from './orchestrator/abort';
import type { ToolExecutionContext, ToolSpec } from './types';

/**
 * Whether a call of `spec` with `args` must wait for a person: the tool's `needsApproval`, a
 * flag or a function of the arguments. A function that throws does not let the call through
 * unapproved (unless the call was aborted, which rejects with the abort).
 */
export async function needsApproval(
  spec: ToolSpec,
  args: Record<string, unknown>,
  context: ToolExecutionContext,
): Promise<boolean> {
  const rule = spec.needsApproval;
  if (typeof rule !== 'function') return rule === true;
  try {
    return (await rule(args, context)) === true;
  } catch {
    if (context.signal?.aborted) throw abortError(context.signal);
    return true;
  }
}
