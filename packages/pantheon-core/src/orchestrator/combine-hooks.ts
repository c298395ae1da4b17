import type { OrchestratorHooks } from './types';

const HOOK_NAMES = [
  'onTickStart',
  'onTickEnd',
  'onTickFailed',
  'onContextCompiled',
  'onBehaviorStart',
  'onBehaviorEnd',
  'onActionStart',
  'onActionEnd',
  'onModelCall',
  'onToolCall',
] as const satisfies readonly (keyof OrchestratorHooks)[];

// Fails to compile when OrchestratorHooks gains a hook that is not listed above.
type Unlisted = Exclude<keyof OrchestratorHooks, (typeof HOOK_NAMES)[number]>;
const everyHookListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyHookListed;

/**
 * One set of hooks that calls each of `hooks` in turn (e.g. Prometheus metrics, OpenTelemetry
 * traces and the inspector's recorder). A hook that throws does not keep the others from running;
 * the first error is rethrown afterwards, so the orchestrator logs it. Only the hooks some part
 * sets are set, so calls nobody observes stay unobserved.
 *
 * @example
 * new PantheonSystem({ ...ports, hooks: combineHooks(createPrometheusHooks(), tracing.hooks) });
 */
export function combineHooks(...hooks: (OrchestratorHooks | undefined)[]): OrchestratorHooks {
  const parts = hooks.filter((part): part is OrchestratorHooks => part !== undefined);
  const combined: Record<string, (event: unknown) => void> = {};
  for (const name of HOOK_NAMES) {
    const owners = parts.filter((part) => typeof part[name] === 'function');
    if (owners.length === 0) continue;
    combined[name] = (event) => {
      let failure: { error: unknown } | undefined;
      for (const owner of owners) {
        try {
          (owner[name] as (event: unknown) => void).call(owner, event);
        } catch (error) {
          failure ??= { error };
        }
      }
      if (failure) throw failure.error;
    };
  }
  return combined as OrchestratorHooks;
}
