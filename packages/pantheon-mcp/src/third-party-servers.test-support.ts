/**
 * The real third-party MCP servers the tests run against, started from node_modules (they are
 * devDependencies; nothing is downloaded at test time).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { McpStdioServer } from './client/mcp-server-address';

const require = createRequire(import.meta.url);

function serverScript(packageName: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), 'dist', 'index.js');
}

/** `@modelcontextprotocol/server-everything`'s entry script. */
export const EVERYTHING_SCRIPT = serverScript('@modelcontextprotocol/server-everything');
/** `@modelcontextprotocol/server-filesystem`'s entry script. */
export const FILESYSTEM_SCRIPT = serverScript('@modelcontextprotocol/server-filesystem');

/** server-everything over stdio. */
export function everythingOverStdio(): McpStdioServer {
  return { command: process.execPath, args: [EVERYTHING_SCRIPT, 'stdio'] };
}

/** server-filesystem over stdio, allowed to use `directories` only. */
export function filesystemOverStdio(...directories: string[]): McpStdioServer {
  return { command: process.execPath, args: [FILESYSTEM_SCRIPT, ...directories] };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** server-everything in its Streamable HTTP mode, as a child process of the test. */
export interface EverythingHttpServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Kills the server (SIGKILL by default) and waits until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts server-everything's Streamable HTTP mode on `port` (a free one by default). */
export async function startEverythingOverHttp(port?: number): Promise<EverythingHttpServer> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, [EVERYTHING_SCRIPT, 'streamableHttp'], {
    env: { ...process.env, PORT: String(chosen) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
      if (stderr.includes('listening on port')) resolve();
    });
    void exited.then(() => reject(new Error(`server-everything (HTTP) exited:\n${stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${chosen}/mcp`,
    port: chosen,
    child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** True while a process with this id exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
