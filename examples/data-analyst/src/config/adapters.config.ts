import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type LlmPort,
  type LogFunction,
  type OrchestratorHooks,
  PantheonSystem,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import { ScriptedAnalystModel } from '../adapters/llm/scripted-analyst-model';
import type { DataAnalystConfig, ModelConfig } from './pantheon.config';

/** A model adapter, and one line for the console saying which model it is. */
export interface ModelChoice {
  llm: LlmPort;
  description: string;
}

/** The model adapter `config` names. Constructing one sends no request. */
export function createModel(config: ModelConfig): ModelChoice {
  switch (config.provider) {
    case 'openai': {
      const { apiKey, baseURL, model } = config;
      const llm = new OpenAiAdapter({ apiKey, baseURL, model });
      return {
        llm,
        description: `OpenAI-compatible model ${llm.model} at ${llm.client.baseURL}`,
      };
    }
    case 'anthropic': {
      const { apiKey, baseURL, model } = config;
      const llm = new ClaudeAdapter({ apiKey, baseURL, model });
      return { llm, description: `Claude model ${llm.model} at ${llm.client.baseURL}` };
    }
    case 'scripted':
      return {
        llm: new ScriptedAnalystModel(),
        description: `${ScriptedAnalystModel.label}; set OPENAI_API_KEY or ANTHROPIC_API_KEY for a real model`,
      };
  }
}

/** What the app adds to the wiring. */
export interface SystemOptions {
  /** Registered in the tool adapter. */
  tools: readonly ToolSpec[];
  /** Instead of the model `config.llm` names (tests pass a `MockLlmAdapter`). */
  llm?: LlmPort;
  hooks?: OrchestratorHooks;
  log?: LogFunction;
}

/** The running system, which model it runs on, and how to stop it and its timers. */
export interface WiredSystem {
  system: PantheonSystem;
  /** One line saying which model answers. */
  model: string;
  shutdown(): Promise<void>;
}

/**
 * The adapters, wired by hand: everything in memory, the model from `config.llm`. This is the
 * one place that knows which adapter backs each port.
 */
export function createSystem(config: DataAnalystConfig, options: SystemOptions): WiredSystem {
  const tools = new InMemoryToolAdapter();
  for (const tool of options.tools) tools.register(tool);
  const model = options.llm
    ? { llm: options.llm, description: 'the model passed to startDataAnalyst' }
    : createModel(config.llm);
  const scheduler = new NodeScheduler();
  const system = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter(),
    toolAdapter: tools,
    llmAdapter: model.llm,
    messageBus: new InMemoryMessageBus(),
    scheduler,
    actorStateAdapter: new InMemoryActorStateAdapter(),
    hooks: options.hooks,
    log: options.log,
  });
  return {
    system,
    model: model.description,
    async shutdown() {
      await system.shutdown();
      scheduler.stopAll();
    },
  };
}
