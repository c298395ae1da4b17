/**
 * `@promethean-os/pantheon`: Pantheon as a product. `PantheonConfig` and `loadConfig` (defaults,
 * then `pantheon.config.ts`/`.json`, then `PANTHEON_*` variables), `createPantheon` (a running
 * system wired from the configuration), `createPantheonCluster` (this process's member of the
 * cluster the configuration describes), `defineApp`/`startApp` (an app's actors, on either), and
 * the `pantheon` command (`init`, `dev`, `start`, `ask`, `actors`, `health`). The umbrella over
 * every adapter package; nothing of Pantheon depends on it.
 *
 * @packageDocumentation
 */
export { type AppActor, defineApp, type PantheonApp } from './app/define-app';
export { type StartAppOptions, startApp } from './app/start-app';
export { DEFAULT_CONFIG } from './config/config-defaults';
export type { Environment } from './config/config-environment';
export type { ConfigIssue } from './config/config-errors';
export type { ConfigSource } from './config/config-layers';
export {
  type BusConfig,
  type ClusterConfig,
  type ContextConfig,
  type LlmConfig,
  type PantheonConfig,
  type PantheonConfigInput,
  PantheonConfigSchema,
  type PersistenceConfig,
} from './config/config-schema';
export { defineConfig, type LoadConfigOptions, loadConfig } from './config/load-config';
export { type CreatePantheonOptions, createPantheon } from './runtime/create-pantheon';
export { createPantheonCluster } from './runtime/create-pantheon-cluster';
export type { OpenedModel } from './runtime/open-llm';
export { type OpenModelOptions, openModel } from './runtime/open-model';
export { Pantheon } from './runtime/pantheon';
export { PantheonClusterNode } from './runtime/pantheon-cluster-node';
export type {
  ActorStatus,
  PantheonRuntime,
  PantheonRuntimeEvents,
} from './runtime/pantheon-runtime';
export type {
  ReadinessCheck,
  ReadinessReport,
  ResourceDescription,
} from './runtime/resource';
