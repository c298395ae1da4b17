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
