// The public surface of the package: the runtime names of each entry point, sorted, so that a
// change to what users (or adapter authors) can import shows as a diff in review.
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

const names = async (entry: Promise<Record<string, unknown>>) => Object.keys(await entry).sort();

describe('public API of @promethean-os/pantheon-core', () => {
  it('has the main entry and the adapter-kit subpath', () => {
    expect(Object.keys(packageJson.exports)).toMatchInlineSnapshot(`
      [
        ".",
        "./adapter-kit",
        "./package.json",
      ]
    `);
  });

  it('exports from the main entry what actors, tools and tests are written against', async () => {
    expect(await names(import('./index'))).toMatchInlineSnapshot(`
      [
        "ActionSchema",
        "ActorError",
        "ActorSchema",
        "ActorScriptSchema",
        "ActorStateSchema",
        "BehaviorError",
        "BehaviorSchema",
        "BusMessageSchema",
        "ConfigError",
        "ContextActionSchema",
        "ContextError",
        "ContextSourceSchema",
        "DEFAULT_SECRET_KEYS",
        "DEFAULT_SECRET_PATTERNS",
        "ERROR_CODES",
        "HANDOFF_TOOL_NAME",
        "HandoffActionSchema",
        "LlmError",
        "MessageActionSchema",
        "MessagePrioritySchema",
        "MessageSchema",
        "PantheonError",
        "PantheonSystem",
        "RoleSchema",
        "SpawnActionSchema",
        "TalentSchema",
        "ToolActionSchema",
        "ToolCallSchema",
        "ToolError",
        "WaitActionSchema",
        "checkActorScript",
        "combineHooks",
        "completeOutput",
        "consoleLog",
        "defineTool",
        "isAction",
        "isActor",
        "isMessage",
        "isToolSpec",
        "llmBehavior",
        "makeOrchestrator",
        "redactSecrets",
        "rememberSecret",
        "selectBehaviors",
      ]
    `);
  });

  it('exports from adapter-kit what only adapter authors need', async () => {
    expect(await names(import('./adapter-kit/index'))).toMatchInlineSnapshot(`
      [
        "BoundedLog",
        "DEFAULT_RUNTIME_LIMITS",
        "NEVER_ABORTED",
        "RealTimeScheduler",
        "abortError",
        "approvalError",
        "callerMetadata",
        "check",
        "checkAppendedMessage",
        "checkBusMessage",
        "checkContent",
        "checkSendOptions",
        "checkToolCallArguments",
        "conversationOf",
        "deepFreeze",
        "describeIssues",
        "describeValue",
        "errorMessage",
        "invalidArgument",
        "isJsonObject",
        "isObjectSchema",
        "isRetryableLlmError",
        "isRetryableStatus",
        "isZodSchema",
        "issuesOf",
        "llmAbortError",
        "llmConnection",
        "llmErrorCodeForStatus",
        "llmOutput",
        "mapJsonSchema",
        "parseToolCallArguments",
        "pendingApprovalOf",
        "pumpLlmStream",
        "requireFinite",
        "requireFunction",
        "sdkErrorToLlmError",
        "sleep",
        "stableStringify",
        "startLedger",
        "toolFailure",
        "toolParametersToJsonSchema",
        "toolTimeoutError",
        "withTimeout",
      ]
    `);
  });

  it('exports each name from one entry only', async () => {
    const main = new Set(await names(import('./index')));
    const kit = await names(import('./adapter-kit/index'));
    expect(kit.filter((name) => main.has(name))).toEqual([]);
  });
});
