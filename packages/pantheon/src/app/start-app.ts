import type { PantheonConfig, PantheonConfigInput } from '../config/config-schema';
import { type CreatePantheonOptions, createPantheon } from '../runtime/create-pantheon';
import type { Pantheon } from '../runtime/pantheon';
import type { PantheonApp } from './define-app';

/** Options of `startApp`: those of `createPantheon` that the app does not give. */
export type StartAppOptions = Omit<
  CreatePantheonOptions,
  'scripts' | 'tools' | 'offlineModel' | 'toolAdapter'
>;

/**
 * Runs `app` on `config`: `createPantheon` with the app's scripts (its actors' and its own),
 * tools and offline model; then creates each actor that does not exist yet (a stored one is
 * kept as it is, so a durable app restarts where it was), starts those not marked
 * `start: false`, and calls `setup`. What `pantheon start` does; also handy in an app's
 * integration tests. If a step fails, the system is shut down again and the error rethrown.
 *
 * @example
 * const pantheon = await startApp(await loadConfig(), app);
 * const answer = await pantheon.ask('weather', 'Weather in Oslo?');
 * await pantheon.shutdown();
 */
export async function startApp(
  config: PantheonConfig | PantheonConfigInput,
  app: PantheonApp,
  options: StartAppOptions = {},
): Promise<Pantheon> {
  const actors = app.actors ?? [];
  const scripts = [...new Set([...actors.map((actor) => actor.script), ...(app.scripts ?? [])])];
  const pantheon = await createPantheon(config, {
    ...options,
    scripts,
    tools: app.tools,
    offlineModel: app.offlineModel,
  });
  try {
    for (const actor of actors) {
      await pantheon.createActor({
        id: actor.id,
        name: actor.name ?? actor.id,
        script: actor.script,
        goals: [...actor.goals],
        metadata: actor.metadata,
        declaredActors: [...(actor.declaredActors ?? []), ...actors.map((other) => other.id)],
        ifExists: 'reuse',
      });
    }
    for (const actor of actors) {
      if (actor.start === false) continue;
      await pantheon.startActor(actor.id, { intervalMs: actor.intervalMs });
    }
    await app.setup?.(pantheon);
    return pantheon;
  } catch (error) {
    await pantheon.shutdown({ drain: false }).catch(() => undefined);
    throw error;
  }
}
