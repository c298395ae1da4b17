import { ConfigError, rememberSecret, type ShutdownReport } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { loadApp } from '../../app/load-app';
import { startApp } from '../../app/start-app';
import { API_TOKEN_VARIABLE } from '../../config/config-environment';
import { CONFIG_FILE_NAMES } from '../../config/config-file';
import { loadConfigWithFile } from '../../config/load-config';
import { createLogger } from '../../runtime/logger';
import { PantheonClusterNode } from '../../runtime/pantheon-cluster-node';
import type { PantheonRuntime } from '../../runtime/pantheon-runtime';
import { serveHttpEndpoint } from '../../server/http-endpoint';
import { createEndpointMetrics } from '../../server/metrics';
import { type CliCommand, CONFIG_OPTION, stringOption } from '../command';
import { EXIT_FAILURE } from '../user-errors';

const usage = `Usage: pantheon start [--config <file>]

Runs the app that the configuration's \`entry\` names, for production: structured logs (JSON by
default), and an HTTP endpoint on http.host:http.port (default 127.0.0.1:3000):

  GET  /healthz           200 while the process runs
  GET  /readyz            200 once the app runs and the database and bus answer, else 503
  GET  /metrics           Prometheus metrics
  GET  /actors            the actors (used by \`pantheon actors\`)
  POST /actors/:id/ask    ask an actor (used by \`pantheon ask\`)

On SIGTERM or SIGINT it stops taking requests, lets the actors drain their mailboxes within
shutdown.timeoutMs (default 10 s), logs what is left (the shutdown report) and exits: 0 when
everything was handled, 1 when messages were left (kept by a durable store, or lost in memory).
A second signal exits at once.

With a cluster section (or PANTHEON_CLUSTER_NAME), every process started with the configuration
joins one cluster on PostgreSQL and NATS: each runs a share of the actors, any of them answers
for any actor, and on SIGTERM a process hands its partitions over to the others (their actors
finish within shutdown.timeoutMs; what is left stays in PostgreSQL for the next owner).

Options:
  --config <file>  the configuration file (default: ${CONFIG_FILE_NAMES.join(', ')} here)
  -h, --help       show this help

Environment: PANTHEON_* variables override the file (docs/configuration.md); OPENAI_API_KEY or
ANTHROPIC_API_KEY for the model; ${API_TOKEN_VARIABLE} protects /actors (required to listen on
anything but loopback).
`;

/** Exit code of a drain that handled everything. */
const EXIT_DRAINED = 0;

function summary(report: ShutdownReport) {
  return {
    interrupted: report.interrupted,
    kept: report.kept.map((message) => ({ id: message.id, to: message.to })),
    lost: report.pending.map((letter) => ({ id: letter.message.id, to: letter.message.to })),
  };
}

/** In a cluster: the cluster's name, this process's id, and whether it runs actors. */
function clusterFields(pantheon: PantheonRuntime) {
  if (!(pantheon instanceof PantheonClusterNode)) return {};
  const { name, member } = pantheon.config.cluster!;
  return { cluster: { name, node: pantheon.nodeId, member: member !== false } };
}

/** In a cluster: the partitions this process owns now. */
function partitionsOf(pantheon: PantheonRuntime): { partitions?: number[] } {
  if (!(pantheon instanceof PantheonClusterNode)) return {};
  const partitions = pantheon.ownedPartitions().map((lease) => lease.partition);
  return { partitions: partitions.sort((x, y) => x - y) };
}

/** Resolves with the first SIGTERM or SIGINT; a second one exits the process at once. */
function firstSignal(onSecond: (signal: NodeJS.Signals) => void) {
  let received: NodeJS.Signals | undefined;
  let resolve: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((done) => {
    resolve = done;
  });
  const handler = (name: NodeJS.Signals) => {
    if (received !== undefined) {
      onSecond(name);
      return;
    }
    received = name;
    resolve(name);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal,
    dispose: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}

export const command: CliCommand = {
  name: 'start',
  usage,
  options: CONFIG_OPTION,
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const { config, file } = await loadConfigWithFile({
      cwd: io.cwd,
      file: stringOption(args, 'config'),
      env: io.env,
    });
    if (config.entry === undefined) {
      throw file === undefined
        ? new ConfigError(
            `No configuration file in ${io.cwd} (looked for ${CONFIG_FILE_NAMES.join(', ')}), and PANTHEON_ENTRY is not set: pantheon start needs the app's entry module`,
            { cwd: io.cwd },
            { code: 'CONFIG_NOT_FOUND' },
          )
        : new ConfigError(
            `${file} has no entry: pantheon start needs the app's module, e.g. entry: './src/app.ts' (or PANTHEON_ENTRY)`,
            { file, field: 'entry' },
            { code: 'CONFIG_INVALID' },
          );
    }
    const log = createLogger({
      level: config.logging.level,
      format: config.logging.format,
      write: (line) => io.stdout(`${line}\n`),
    });
    const app = await loadApp(config.entry);
    // With a durable store, the store's own context port compiles the context.
    const { persistence, context } = config.adapters;
    const metrics = await createEndpointMetrics(
      persistence.type === 'memory' ? context.type : persistence.type,
    );
    const token = io.env[API_TOKEN_VARIABLE]?.trim() || undefined;
    if (token) rememberSecret(token);
    const endpoint = await serveHttpEndpoint({
      host: config.http.host,
      port: config.http.port,
      token,
      metrics,
      log,
    });
    const signals = firstSignal((signal) => {
      log('Second signal: exiting without waiting for the drain', { level: 'warn', signal });
      process.exit(EXIT_FAILURE);
    });
    let pantheon: PantheonRuntime;
    try {
      pantheon = await startApp(config, app, { hooks: metrics.hooks, log, env: io.env });
    } catch (error) {
      signals.dispose();
      await endpoint.close();
      throw error;
    }
    const stopObserving = metrics.observe(pantheon);
    endpoint.attach(pantheon);
    endpoint.setPhase('running');
    if (config.adapters.persistence.type === 'memory' && config.environment === 'production') {
      log('Persistence is memory: actors and waiting messages are lost when the process stops', {
        level: 'warn',
      });
    }
    log('Pantheon started', {
      url: endpoint.url,
      config: file,
      entry: config.entry,
      environment: config.environment,
      model: pantheon.model,
      resources: pantheon.describeResources(),
      actors: (app.actors ?? []).map((actor) => actor.id),
      ...clusterFields(pantheon),
      pid: process.pid,
    });

    const signal = await signals.signal;
    endpoint.setPhase('draining');
    const owned = partitionsOf(pantheon);
    log('Draining', { signal, timeoutMs: config.shutdown.timeoutMs, ...owned });
    let report: ShutdownReport;
    try {
      report = await pantheon.shutdown({ drain: true });
    } catch (error) {
      log('Shutdown failed', { level: 'error', error: errorMessage(error) });
      stopObserving();
      await endpoint.close();
      signals.dispose();
      return EXIT_FAILURE;
    }
    stopObserving();
    await endpoint.close();
    signals.dispose();
    const left = report.interrupted.length + report.kept.length + report.pending.length;
    log(left === 0 ? 'Shutdown complete: every message was handled' : 'Shutdown left messages', {
      level: left === 0 ? 'info' : 'warn',
      report: summary(report),
      ...(owned.partitions ? { handedOver: owned.partitions } : {}),
    });
    return left === 0 ? EXIT_DRAINED : EXIT_FAILURE;
  },
};
