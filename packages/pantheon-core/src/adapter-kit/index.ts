/**
 * `@promethean-os/pantheon-core/adapter-kit`: the helpers the packages of this repository build
 * their adapters and mocks with, for anyone who writes one of their own — an `LlmPort` for another
 * provider, a `ContextPort` on another store, a `MessageBus` on another broker.
 *
 * Actors, behaviors, tools and tests need none of it: they import `@promethean-os/pantheon-core`.
 * What is here keeps a port's behaviour the same in every adapter (the same checks, the same error
 * codes, the same cancellation), which the port contract suites of
 * `@promethean-os/pantheon-test/contracts` then verify.
 *
 * - LLM adapters: `llmConnection` (API key and base URL from options or environment),
 *   `sdkErrorToLlmError` / `llmErrorCodeForStatus` / `isRetryableStatus` / `isRetryableLlmError`
 *   (provider failures as `LlmError`s), `llmAbortError`, `pumpLlmStream` (a provider stream as
 *   `LlmStreamEvent`s), `parseToolCallArguments` / `checkToolCallArguments` / `isJsonObject`,
 *   `toolParametersToJsonSchema` / `isZodSchema`, `llmOutput` (a call's structured `output`:
 *   the JSON Schema to send, and the reply parsed and validated), `mapJsonSchema` /
 *   `isObjectSchema` (adapting a schema to a provider's rules).
 * - Tool ports: `toolTimeoutError`, `toolFailure`, `isZodSchema`.
 * - Context ports: `checkAppendedMessage`, `conversationOf`, `BoundedLog`.
 * - Message buses: `checkBusMessage`; `checkContent`, `checkSendOptions` and `callerMetadata`
 *   (what a caller of `sendMessage` may give, and what its `metadata` carries);
 *   `startLedger` (a new conversation's budget, for `metadata.budget`).
 * - Durable stores: `pendingApprovalOf` (a stored approval as `getPendingApprovals` shows it),
 *   `approvalError` (why a decision cannot be made, as `approve`/`deny` reject).
 * - Runtimes over `PantheonSystem`: `DEFAULT_RUNTIME_LIMITS` (the defaults of its `limits`).
 * - Time and cancellation on the `Scheduler` port: `withTimeout`, `sleep`, `abortError`,
 *   `NEVER_ABORTED`, and `RealTimeScheduler` (a `Scheduler` on the host's timers).
 * - Arguments and validation: `invalidArgument` (`ConfigError` `INVALID_ARGUMENT` naming the
 *   call and the fields), `requireFunction`, `requireFinite`, `describeValue`; `check`,
 *   `issuesOf`, `describeIssues`; and `errorMessage`, `stableStringify`, `deepFreeze`.
 *
 * @example
 * import { llmConnection, pumpLlmStream, sdkErrorToLlmError } from '@promethean-os/pantheon-core/adapter-kit';
 *
 * @packageDocumentation
 */
export { BoundedLog } from '../bounded-log';
export {
  callerMetadata,
  checkBusMessage,
  checkContent,
  checkSendOptions,
} from '../bus-messages';
export { checkAppendedMessage, conversationOf } from '../context-messages';
export { errorMessage } from '../errors';
export { isObjectSchema, mapJsonSchema } from '../json-schema-walk';
export { type LlmConnectionVariables, llmConnection } from '../llm-connection';
export {
  isRetryableLlmError,
  isRetryableStatus,
  type LlmErrorCode,
  llmErrorCodeForStatus,
} from '../llm-error-codes';
export {
  llmAbortError,
  type ProviderSdk,
  type SdkApiError,
  sdkErrorToLlmError,
} from '../llm-sdk-errors';
export {
  type LlmStreamAccumulator,
  type LlmStreamPumpOptions,
  pumpLlmStream,
} from '../llm-stream-pump';
export { abortError, NEVER_ABORTED, sleep, withTimeout } from '../orchestrator/abort';
export { approvalError, pendingApprovalOf } from '../runtime/approvals';
export { startLedger } from '../runtime/budgets';
export { DEFAULT_RUNTIME_LIMITS } from '../runtime/pantheon-system';
export { type LlmOutput, llmOutput } from '../structured-output';
export {
  checkToolCallArguments,
  isJsonObject,
  parseToolCallArguments,
  type ToolCallArgumentsSource,
} from '../tool-call-arguments';
export { toolFailure, toolTimeoutError } from '../tool-errors';
export { isZodSchema, toolParametersToJsonSchema } from '../tool-parameters';
export { check, describeIssues, issuesOf, type ValidationIssue } from '../validation';
export { deepFreeze } from './deep-freeze';
export {
  describeValue,
  invalidArgument,
  requireFinite,
  requireFunction,
} from './invalid-argument';
export {
  RealTimeScheduler,
  type RealTimeSchedulerOptions,
  type SchedulerTimers,
} from './real-time-scheduler';
export { stableStringify } from './stable-stringify';
