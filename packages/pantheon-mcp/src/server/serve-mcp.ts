import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  ActorError,
  type ActorStatePort,
  ConfigError,
  consoleLog,
  type LogFunction,
  type PantheonSystem,
} from '@promethean-os/pantheon-core';
import { createActorServer } from './actor-mcp-server';
import { type McpHttpServeOptions, startHttpHost } from './http-host';
import { type McpServedActor, normaliseServedActors, servedActorsSource } from './served-actors';

/** Serve over the process's stdin and stdout (or the given streams), for a client that starts this process. */
export interface McpStdioServeOptions {
  type: 'stdio';
  stdin?: Readable;
  stdout?: Writable;
}

/** How `serveMcp` is reached: `'stdio'`, `{ type: 'stdio', … }` or `{ type: 'http', … }`. */
export type McpServeTransport = 'stdio' | McpStdioServeOptions | McpHttpServeOptions;

/** Options of `serveMcp`. */
export interface ServeMcpOptions {
  transport: McpServeTransport;
  /**
   * The actors to serve, by id or with a tool name and description. Each must exist when
   * `serveMcp` starts (`ACTOR_NOT_FOUND`). Omitted: every actor in `actorState`, read on each
   * `tools/list`.
   */
  actors?: ReadonlyArray<string | McpServedActor>;
  /** The system's actor state port: lists the actors when `actors` is omitted, and describes them from their scripts. */
  actorState?: ActorStatePort;
  /** The sender of every message and the requester answers go to. Default `'mcp'`; must not be an actor's id. */
  from?: string;
  /** How long `ask_<actor>` waits for the answer. Default 30,000 ms (then `ASK_TIMEOUT`). */
  askTimeoutMs?: number;
  /** The server's name and version in the MCP handshake. Default `pantheon` / `1`. */
  name?: string;
  version?: string;
  /** Where request failures are reported. Default `consoleLog` (stderr, never stdout). */
  log?: LogFunction;
}

/** A running MCP server of actors. */
export interface McpService {
  /** The endpoint (Streamable HTTP), e.g. `http://127.0.0.1:43127/mcp`; `undefined` on stdio. */
  readonly url: string | undefined;
  /** Resolves once the service stopped: after `close()`, or when stdin ended (stdio). */
  readonly closed: Promise<void>;
  /** Stops serving: ends every session and the listener, or stops reading stdin. Safe to call twice. */
  close(): Promise<void>;
}

function checkOptions(options: ServeMcpOptions): void {
  if (typeof options !== 'object' || options === null || options.transport === undefined) {
    throw new ConfigError(
      'serveMcp needs options with a transport: "stdio" or { type: "http", … }',
      {
        field: 'transport',
      },
    );
  }
  const { transport } = options;
  const type = typeof transport === 'string' ? transport : transport.type;
  if (type !== 'stdio' && type !== 'http') {
    throw new ConfigError(
      `serveMcp: unknown transport ${JSON.stringify(type)}; use "stdio" or "http"`,
      {
        field: 'transport',
      },
    );
  }
  if (options.actors === undefined && options.actorState === undefined) {
    throw new ConfigError(
      'serveMcp needs `actors` (the ids to serve) or `actorState` (to serve every actor)',
      { field: 'actors' },
    );
  }
  const timeout = options.askTimeoutMs;
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)
  ) {
    throw new ConfigError('serveMcp: askTimeoutMs must be a positive number of milliseconds', {
      field: 'askTimeoutMs',
    });
  }
  if (options.from !== undefined && (typeof options.from !== 'string' || options.from === '')) {
    throw new ConfigError('serveMcp: from must be a non-empty string', { field: 'from' });
  }
}

/** Resolves when the actor exists, rejects `ACTOR_NOT_FOUND` otherwise. */
async function actorExists(system: PantheonSystem, id: string): Promise<boolean> {
  try {
    await system.getActorMessages(id);
    return true;
  } catch (error) {
    if (ActorError.isInstance(error) && error.code === 'ACTOR_NOT_FOUND') return false;
    throw error;
  }
}

/**
 * Serves actors of a `PantheonSystem` as MCP tools — `ask_<actor>` (send a message, return the
 * answer and its `conversationId`) and `send_<actor>` (fire and forget) — so Claude Desktop, an
 * IDE or another agent framework can talk to them. Both take `{ message, conversationId? }`.
 * Errors come back as MCP tool errors whose text starts with the Pantheon code (`ASK_TIMEOUT`,
 * `ASK_FAILED`, `MAILBOX_FULL`, `TOOL_INVALID_ARGS`, …), also in `_meta['pantheon/error']`.
 * Messages to one actor are handled one at a time, in arrival order, by its mailbox.
 *
 * Streamable HTTP listens on 127.0.0.1 unless `transport.host` says otherwise; any other host
 * needs `transport.token`. Rejects with `CONFIG_ERROR` for bad options or a port in use, and
 * `ACTOR_NOT_FOUND` for an actor that does not exist.
 *
 * @example
 * const service = await serveMcp(system, {
 *   actors: ['support', { id: 'billing-7', toolName: 'billing', description: 'Refunds and invoices' }],
 *   transport: { type: 'http', port: 3333 },
 * });
 * console.log(service.url); // http://127.0.0.1:3333/mcp — tools ask_support, send_support, ask_billing, send_billing
 */
export async function serveMcp(
  system: PantheonSystem,
  options: ServeMcpOptions,
): Promise<McpService> {
  checkOptions(options);
  const log = options.log ?? consoleLog;
  const from = options.from ?? 'mcp';
  const actors = options.actors === undefined ? undefined : normaliseServedActors(options.actors);
  for (const actor of actors ?? []) {
    if (!(await actorExists(system, actor.id))) {
      throw new ActorError(`serveMcp: actor "${actor.id}" does not exist`, actor.id, undefined, {
        code: 'ACTOR_NOT_FOUND',
      });
    }
  }
  if (await actorExists(system, from)) {
    throw new ConfigError(
      `serveMcp: from "${from}" is an actor's id, so answers would go to that actor; choose another`,
      { field: 'from' },
    );
  }
  const settings = {
    system,
    from,
    askTimeoutMs: options.askTimeoutMs ?? 30_000,
    serverInfo: { name: options.name ?? 'pantheon', version: options.version ?? '1' },
    servedActors: servedActorsSource(actors, options.actorState, log),
  };
  const transport =
    typeof options.transport === 'string' ? { type: options.transport } : options.transport;

  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });

  if (transport.type === 'http') {
    const host = await startHttpHost(transport, () => createActorServer(settings), log);
    // Served from the state port, the set grows with the system: tell clients to list again.
    const stopWatching =
      actors === undefined
        ? system.on('actor.started', () => {
            for (const server of host.servers()) void server.sendToolListChanged().catch(() => {});
          })
        : () => {};
    let closing: Promise<void> | undefined;
    return {
      url: host.url,
      closed,
      close() {
        closing ??= (async () => {
          stopWatching();
          await host.close();
          markClosed();
        })();
        return closing;
      },
    };
  }

  const stdio = transport as McpStdioServeOptions;
  const stdin = stdio.stdin ?? process.stdin;
  const server = createActorServer(settings);
  const stopWatching =
    actors === undefined
      ? system.on('actor.started', () => void server.sendToolListChanged().catch(() => {}))
      : () => {};
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stopWatching();
      stdin.off('end', close);
      await server.close().catch(() => {});
      markClosed();
    })();
    return closing;
  };
  // The client closing our stdin is how a stdio session ends.
  stdin.once('end', close);
  await server.connect(new StdioServerTransport(stdin, stdio.stdout ?? process.stdout));
  return { url: undefined, closed, close };
}
