/**
 * `@promethean-os/pantheon-test/contracts`: one vitest suite per port (`describeContextPortContract`,
 * `describeToolPortContract`, …) that every adapter of this repository runs, and that any other
 * adapter can run to show it behaves as the port promises, error codes included.
 *
 * @packageDocumentation
 */
export {
  type ActorStatePortContractOptions,
  type ActorStatePortFeatures,
  describeActorStatePortContract,
  detectActorStatePortFeatures,
} from './actor-state-port-contract';
export {
  type ContextPortContractOptions,
  type ContextPortFeatures,
  type ContractDocument,
  describeContextPortContract,
  detectContextPortFeatures,
} from './context-port-contract';
export {
  describeLlmPortContract,
  detectLlmPortFeatures,
  type LlmContractScript,
  type LlmPortContractOptions,
  type LlmPortFactory,
  type LlmPortFeatures,
} from './llm-port-contract';
export {
  type LlmPortOverHttp,
  type LlmPortOverHttpOptions,
  llmPortOverHttp,
} from './llm-port-over-http';
export {
  describeMailboxStoreContract,
  type MailboxStoreContractOptions,
  type MailboxStoreFixture,
} from './mailbox-store-contract';
export {
  describeMessageBusContract,
  type MessageBusContractOptions,
} from './message-bus-contract';
export {
  describeSchedulerContract,
  type RealTimeHarnessOptions,
  realTimeHarness,
  type SchedulerHarness,
  virtualTimeHarness,
} from './scheduler-contract';
export type { ContractOptions, PortFactory } from './support';
export {
  describeToolPortContract,
  detectToolPortFeatures,
  type ToolPortContractOptions,
  type ToolPortFeatures,
} from './tool-port-contract';
