// The app process of `pantheon dev`: the supervisor (dev-supervisor.ts) starts one, and a new
// one after each change. It runs the app as `pantheon start` does, for a developer: readable
// logs, loopback only, the offline mock model when no API key is set, the inspector page.
import { ConfigError, combineHooks, rememberSecret } from '@promethean-os/pantheon-core';
import { createInspectorRecorder, serveInspector } from '@promethean-os/pantheon-inspector';
import { loadApp } from '../../app/load-app';
import { startApp } from '../../app/start-app';
import { API_TOKEN_VARIABLE } from '../../config/config-environment';
import { CONFIG_FILE_NAMES } from '../../config/config-file';
import type { PantheonConfig } from '../../config/config-schema';
import { loadConfigWithFile } from '../../config/load-config';
import { createLogger } from '../../runtime/logger';
import { Pantheon } from '../../runtime/pantheon';
import { serveHttpEndpoint } from '../../server/http-endpoint';
import { createEndpointMetrics } from '../../server/metrics';
import type { CliIo } from '../command';
import { devModel } from './dev-model';

/** Set in the environment of the app process the supervisor starts. */
export const DEV_CHILD_VARIABLE = 'PANTHEON_DEV_CHILD';

/** What the app process tells the supervisor once the app runs. */
export interface DevReady {
  type: 'ready';
  /** The HTTP endpoint (`pantheon ask`, `pantheon actors`). */
  url: string;
  /** The inspector page; none for a cluster node (the inspector watches one process's system). */
  inspectorUrl?: string;
  /** Which model runs, in words. */
  model: string;
  /** Why the offline mock model runs instead of the configured one. */
  offline?: string;
  /** The persistence, in words. */
  persistence: string;
  actors: string[];
  /** The configuration file read, when there was one. */
  file?: string;
  entry: string;
  /** The port in the configuration: when the endpoint is elsewhere, `pantheon ask` needs --url. */
  configuredPort: number;
}

/** What `pantheon dev` runs with. */
export interface DevOptions {
  config?: string;
  inspectorPort: number;
}

/** Ctrl-C (which reaches the whole process group), the supervisor's stop, the terminal closing. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves on the first stop signal, or when the supervisor goes away. */
function stopRequested(): { stopped: Promise<string>; dispose(): void } {
  let resolve: (reason: string) => void = () => {};
  const stopped = new Promise<string>((done) => {
    resolve = done;
  });
  const onSignal = (signal: NodeJS.Signals) => resolve(signal);
  const onDisconnect = () => resolve('supervisor gone');
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  process.on('disconnect', onDisconnect);
  return {
    stopped,
    dispose() {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      process.off('disconnect', onDisconnect);
    },
  };
}

/** No app to run: `CONFIG_NOT_FOUND` without a configuration file, else `CONFIG_INVALID`. */
export function missingEntry(file: string | undefined, cwd: string): ConfigError {
  return file === undefined
    ? new ConfigError(
        `No configuration file in ${cwd} (looked for ${CONFIG_FILE_NAMES.join(', ')}), and PANTHEON_ENTRY is not set: pantheon dev runs the app a configuration names. Run it in your app's folder, pass --config <file>, or create an app with pantheon init`,
        { cwd },
        { code: 'CONFIG_NOT_FOUND' },
      )
    : new ConfigError(
        `${file} has no entry: pantheon dev needs the app's module, e.g. entry: './src/app.ts' (or PANTHEON_ENTRY)`,
        { file, field: 'entry' },
        { code: 'CONFIG_INVALID' },
      );
}

function describePersistence(persistence: PantheonConfig['adapters']['persistence']): string {
  switch (persistence.type) {
    case 'memory':
      return 'memory: actors and their messages start afresh at each restart';
    case 'sqlite':
      return `sqlite ${persistence.file}: kept across restarts`;
    case 'postgres':
      return 'postgres: kept across restarts';
  }
}

/**
 * Runs the app until a stop signal or the supervisor's exit, then stops it at once (a durable
 * store keeps the waiting messages for the next start). Resolves the exit code; a failing start
 * rejects with its error, for `reportError`.
 */
export async function runDevChild(
  options: DevOptions,
  io: CliIo,
  send: (message: DevReady) => void,
): Promise<number> {
  const stop = stopRequested();
  try {
    const { config, file } = await loadConfigWithFile({
      cwd: io.cwd,
      file: options.config,
      env: io.env,
    });
    if (config.entry === undefined) throw missingEntry(file, io.cwd);
    const model = devModel(config.adapters.llm, io.env);
    const explicitFormat = io.env.PANTHEON_LOG_FORMAT?.trim();
    const devConfig: PantheonConfig = {
      ...config,
      logging: { ...config.logging, format: explicitFormat ? config.logging.format : 'pretty' },
      adapters: { ...config.adapters, llm: model.llm },
      // Never beyond this machine: the endpoint and the inspector run actors.
      http: { ...config.http, host: '127.0.0.1' },
    };
    const log = createLogger({
      level: devConfig.logging.level,
      format: devConfig.logging.format,
      write: (line) => io.stdout(`${line}\n`),
    });
    const app = await loadApp(config.entry);
    const { persistence, context } = config.adapters;
    const metrics = await createEndpointMetrics(
      persistence.type === 'memory' ? context.type : persistence.type,
    );
    const recorder = createInspectorRecorder();
    const token = io.env[API_TOKEN_VARIABLE]?.trim() || undefined;
    if (token) rememberSecret(token);
    const endpoint = await serveHttpEndpoint({
      host: devConfig.http.host,
      port: devConfig.http.port,
      token,
      metrics,
      log,
    });
    try {
      const pantheon = await startApp(devConfig, app, {
        hooks: combineHooks(metrics.hooks, recorder.hooks),
        log,
        env: io.env,
      });
      const stopObserving = metrics.observe(pantheon);
      try {
        endpoint.attach(pantheon);
        endpoint.setPhase('running');
        const inspector =
          pantheon instanceof Pantheon
            ? await serveInspector(pantheon, {
                port: options.inspectorPort,
                recorder,
              }).catch((error: unknown) => {
                throw inspectorError(error, options.inspectorPort);
              })
            : undefined;
        try {
          send({
            type: 'ready',
            url: endpoint.url,
            inspectorUrl: inspector?.url,
            model: pantheon.model,
            offline: model.offline,
            persistence: describePersistence(persistence),
            actors: (app.actors ?? []).map((actor) => actor.id),
            file,
            entry: config.entry,
            configuredPort: config.http.port,
          });
          await stop.stopped;
        } finally {
          await inspector?.close();
        }
      } finally {
        endpoint.setPhase('draining');
        stopObserving();
        await pantheon.shutdown({ drain: false, timeoutMs: 2_000 });
      }
    } finally {
      await endpoint.close();
    }
    return 0;
  } finally {
    stop.dispose();
  }
}

function inspectorError(error: unknown, port: number): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return error;
  return new ConfigError(
    `Port ${port} on 127.0.0.1 is in use, so the inspector cannot serve its page: stop what listens there, or pass --inspector-port <port> (0 for any free one)`,
    { port },
    { cause: error },
  );
}
