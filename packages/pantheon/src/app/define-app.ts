import type {
  ActorScript,
  CreateActorOptions,
  LlmPort,
  ToolSpec,
} from '@promethean-os/pantheon-core';
import type { PantheonRuntime } from '../runtime/pantheon-runtime';

/** An actor the app runs: created when missing (kept as stored otherwise) and started. */
export interface AppActor
  extends Pick<CreateActorOptions, 'script' | 'goals' | 'metadata' | 'declaredActors'> {
  /** Its id: what `pantheon ask <id>` and `/actors/<id>/ask` name. */
  id: string;
  /** Default: the id. */
  name?: string;
  /** Whether `startApp` starts it. Default `true`. */
  start?: boolean;
  /**
   * Also run its passive and persistent behaviors every `intervalMs` without input (in a
   * cluster, in whichever process runs it).
   */
  intervalMs?: number;
}

/**
 * An app: what `pantheon start` runs from the module the configuration's `entry` names. The
 * model, stores and bus come from the configuration; the app brings the actors.
 */
export interface PantheonApp {
  /** The actors to create (when missing) and start, in order. */
  actors?: readonly AppActor[];
  /** Scripts besides those of `actors` (e.g. of actors a behavior spawns). */
  scripts?: readonly ActorScript[];
  /** Tools registered in the tool adapter before the actors are created. */
  tools?: readonly ToolSpec[];
  /**
   * The offline stand-in when the configuration's model is `mock`, e.g. a scripted model that
   * knows the app's tools. Default: the echoing `[offline mock model]`.
   */
  offlineModel?: LlmPort;
  /**
   * Runs once the actors are started: anything else the app needs (e.g. subscribing to events).
   * It gets the runtime the configuration chose: a `Pantheon`, or a `PantheonClusterNode` when
   * the configuration has a `cluster` section.
   */
  setup?(pantheon: PantheonRuntime): void | Promise<void>;
}

/**
 * Types an app module's default export: returns `app` as it is.
 *
 * @example
 * // src/app.ts, named by `entry` in pantheon.config.ts
 * import { defineApp } from '@promethean-os/pantheon';
 *
 * export default defineApp({
 *   tools: [weatherTool],
 *   actors: [{ id: 'weather', script: weatherScript, goals: ['Answer weather questions'] }],
 * });
 */
export function defineApp(app: PantheonApp): PantheonApp {
  return app;
}
