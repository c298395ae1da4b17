import { PantheonError } from '@promethean-os/pantheon-core';
import type { PantheonConfig, PantheonConfigInput } from '../config/config-schema';
import { resolveConfig } from '../config/load-config';
import { type CreatePantheonOptions, createPantheon } from '../runtime/create-pantheon';
import { createPantheonCluster } from '../runtime/create-pantheon-cluster';
import type { Pantheon } from '../runtime/pantheon';
import type { PantheonRuntime } from '../runtime/pantheon-runtime';
import type { AppActor, PantheonApp } from './define-app';

/** Options of `startApp`: those of `createPantheon` that the app does not give. */
export type StartAppOptions = Omit<
  CreatePantheonOptions,
  'scripts' | 'tools' | 'offlineModel' | 'toolAdapter'
>;

/**
 * Creates the actor unless it exists. Processes of a cluster start together: when another one
 * stored it between the lookup and the insert (`ACTOR_EXISTS`), the stored one is taken.
 */
async function createAppActor(
  runtime: PantheonRuntime,
  actor: AppActor,
  actors: readonly AppActor[],
): Promise<void> {
  const create = () =>
    runtime.createActor({
      id: actor.id,
      name: actor.name ?? actor.id,
      script: actor.script,
      goals: [...actor.goals],
      metadata: actor.metadata,
      declaredActors: [...(actor.declaredActors ?? []), ...actors.map((other) => other.id)],
      ifExists: 'reuse',
    });
  try {
    await create();
  } catch (error) {
    if (!PantheonError.isInstance(error) || error.code !== 'ACTOR_EXISTS') throw error;
    await create();
  }
}

/**
 * Runs `app` on `config`: one process's system (`createPantheon`), or this process's member of
 * the cluster that `config.cluster` describes (`createPantheonCluster`), with the app's scripts
 * (its actors' and its own), tools and offline model; then creates each actor that does not
 * exist yet (a stored one is kept as it is, so a durable app restarts where it was), starts
 * those not marked `start: false`, and calls `setup`. What `pantheon start` does; also handy in
 * an app's integration tests. If a step fails, what was started is shut down again and the error
 * rethrown.
 *
 * A configuration written without `cluster` resolves a `Pantheon`; one loaded by `loadConfig`
 * may describe either, so the result is a `PantheonRuntime` (narrow it with `instanceof`).
 *
 * @throws The errors of `createPantheon` and `createPantheonCluster`, and of creating and
 * starting the actors.
 *
 * @example
 * const pantheon = await startApp(await loadConfig(), app);
 * const answer = await pantheon.ask('weather', 'Weather in Oslo?');
 * await pantheon.shutdown();
 */
export function startApp(
  config: PantheonConfigInput & { cluster?: undefined },
  app: PantheonApp,
  options?: StartAppOptions,
): Promise<Pantheon>;
/** Runs `app` on whichever runtime `config` describes: see the overload above. */
export function startApp(
  config: PantheonConfig | PantheonConfigInput,
  app: PantheonApp,
  options?: StartAppOptions,
): Promise<PantheonRuntime>;
export async function startApp(
  config: PantheonConfig | PantheonConfigInput,
  app: PantheonApp,
  options: StartAppOptions = {},
): Promise<PantheonRuntime> {
  const resolved = resolveConfig(config);
  const actors = app.actors ?? [];
  const scripts = [...new Set([...actors.map((actor) => actor.script), ...(app.scripts ?? [])])];
  const createOptions = {
    ...options,
    scripts,
    tools: app.tools,
    offlineModel: app.offlineModel,
  };
  const runtime: PantheonRuntime = resolved.cluster
    ? await createPantheonCluster(resolved, createOptions)
    : await createPantheon(resolved, createOptions);
  try {
    for (const actor of actors) await createAppActor(runtime, actor, actors);
    for (const actor of actors) {
      if (actor.start === false) continue;
      await runtime.startActor(actor.id, { intervalMs: actor.intervalMs });
    }
    await app.setup?.(runtime);
    return runtime;
  } catch (error) {
    await runtime.shutdown({ drain: false }).catch(() => undefined);
    throw error;
  }
}
