/**
 * `@promethean-os/pantheon-test`: mocks of every Pantheon port that record their calls, a
 * virtual-time scheduler and clock, fixtures, and LLM cassettes (record once, replay offline).
 * The port contract suites are the `/contracts` subpath, so that importing the mocks never loads
 * vitest.
 *
 * @packageDocumentation
 */
export type {
  Cassette,
  CassetteError,
  CassetteInteraction,
  CassetteMessage,
  CassetteRequest,
} from './cassette';
export { createTestActor, createTestScript } from './fixtures';
export {
  createMockActorState,
  type MockActorState,
  type MockActorStateOptions,
  type MockActorUpdate,
} from './mock-actor-state';
export {
  MockContextAdapter,
  type MockContextAppend,
  type MockContextDocument,
  type MockContextResponder,
} from './mock-context-adapter';
export {
  collectStream,
  MockLlmAdapter,
  type MockLlmCall,
  type MockLlmResponder,
  type MockLlmResponse,
} from './mock-llm-adapter';
export {
  createMockMessageBus,
  type MockBusHandlerError,
  type MockMessageBus,
} from './mock-message-bus';
export {
  createMockScheduler,
  type MockScheduler,
  type MockSchedulerOptions,
  type RunAllOptions,
} from './mock-scheduler';
export {
  MockToolAdapter,
  type MockToolAdapterOptions,
  type MockToolCall,
  type MockToolResponder,
  type MockToolResult,
} from './mock-tool-adapter';
export type { RecordedCalls } from './recorded-calls';
export { RecordingLlmAdapter, type RecordingLlmAdapterOptions } from './recording-llm-adapter';
export {
  createRecordingServer,
  type RecordedHttpRequest,
  type RecordingServer,
  type ScriptedHttpReply,
  type ScriptedHttpResponder,
} from './recording-server';
export { ReplayLlmAdapter } from './replay-llm-adapter';
export { createTestClock, type TestClock } from './test-clock';
