// The shared preamble of every ```ts block in the docs (see CONTRIBUTING.md).
//
// The names below stand for the reader's own objects, which the prose introduces ("`ports` are
// the six adapters", "`script` is your actor's script"): a snippet may use them without
// declaring them. Each snippet is a module, so one that declares a name of its own shadows these.
// Keep the list short; a name only one block needs belongs in that block's preamble marker.
//
// This file is not a module (no top-level import), so its declarations are global.

/** Your actor's script. */
declare const script: import('@promethean-os/pantheon-core').ActorScript;
/** Scripts of the actors of a support desk: the triage desk, a support agent, billing. */
declare const triageScript: import('@promethean-os/pantheon-core').ActorScript;
declare const supportScript: import('@promethean-os/pantheon-core').ActorScript;
declare const billingScript: import('@promethean-os/pantheon-core').ActorScript;
/** Your model: an `OpenAiAdapter`, `ClaudeAdapter`, `AiSdkLlmAdapter`, a mock, … */
declare const model: import('@promethean-os/pantheon-core').LlmPort;
/** Your model, under the name of `PantheonSystemOptions`. */
declare const llmAdapter: import('@promethean-os/pantheon-core').LlmPort;
/** Your model, as a behavior's `plan` receives it. */
declare const llm: import('@promethean-os/pantheon-core').LlmPort;
/** Your tool port, with your tools registered. */
declare const tools: import('@promethean-os/pantheon-core').ToolPort;
/** The six adapters a `PantheonSystem` runs on. */
declare const ports: Pick<
  import('@promethean-os/pantheon-core').PantheonSystemOptions,
  'contextAdapter' | 'toolAdapter' | 'llmAdapter' | 'messageBus' | 'scheduler' | 'actorStateAdapter'
>;
/** The ports of `makeOrchestrator`. */
declare const deps: import('@promethean-os/pantheon-core').OrchestratorDeps;
/** Your running system. */
declare const system: import('@promethean-os/pantheon-core').PantheonSystem;
/** Your running system, under the other name the docs give it. */
declare const pantheon: import('@promethean-os/pantheon-core').PantheonSystem;
/** Your logger. */
declare const log: import('@promethean-os/pantheon-core').LogFunction;
/** Your PostgreSQL database's URL. */
declare const connectionString: string;

// Third-party packages the docs show that this repository does not install: typed `any` here.
declare module '@ai-sdk/amazon-bedrock';
declare module '@ai-sdk/mistral';
declare module '@opentelemetry/exporter-trace-otlp-http';
declare module '@opentelemetry/sdk-trace-node';

/** The made-up provider SDK that docs/llm.md writes an adapter for, shaped like a Stainless SDK. */
declare module 'acme' {
  export interface AcmeChatRequest {
    model: string;
    messages: unknown[];
    json_schema?: Record<string, unknown>;
  }
  export default class Acme {
    constructor(options: { apiKey: string; baseURL?: string | undefined });
    chat(
      request: AcmeChatRequest,
      options?: { signal?: AbortSignal | undefined },
    ): Promise<unknown>;
  }
  export class APIError extends Error {
    readonly status: number | undefined;
  }
  export class APIUserAbortError extends APIError {}
  export class APIConnectionError extends APIError {}
  export class APIConnectionTimeoutError extends APIConnectionError {}
}
