import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { llmBehavior, type Message, PantheonSystem, ToolError } from '@promethean-os/pantheon-core';
import { MockLlmAdapter } from '@promethean-os/pantheon-test';
import { afterAll, describe, expect, it } from 'vitest';
import { failureOf } from '../failures.test-support';
import {
  everythingOverStdio,
  filesystemOverStdio,
  processExists,
} from '../third-party-servers.test-support';
import { connectMcp } from './mcp-connection';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const parentScript = fileURLToPath(new URL('../orphan-parent.test-support.ts', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function gone(pid: number, withinMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (processExists(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

interface LogEntry {
  message: string;
  meta: Record<string, unknown> | undefined;
}

describe('stdio server processes', { timeout: 20_000 }, () => {
  it('close() ends the server process: its pid is gone when close resolves', async () => {
    const connection = await connectMcp(everythingOverStdio(), { log: () => {} });
    const pid = connection.pid!;
    expect(processExists(pid)).toBe(true);
    await connection.close();
    expect(processExists(pid)).toBe(false);
    expect(connection.pid).toBeUndefined();
    const after = await failureOf(connection.callTool('echo', { message: 'x' }));
    expect(ToolError.isInstance(after)).toBe(true);
    expect(after.code).toBe('MCP_CONNECTION_CLOSED');
    await connection.close(); // twice is fine
  });

  it('a call in flight when close() runs rejects with MCP_CONNECTION_CLOSED', async () => {
    const connection = await connectMcp(everythingOverStdio(), { log: () => {} });
    const pending = failureOf(
      connection.callTool('trigger-long-running-operation', { duration: 5, steps: 5 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await connection.close();
    const error = await pending;
    expect(error.code).toBe('MCP_CONNECTION_CLOSED');
  });

  it('a server that dies mid-call gives MCP_CONNECTION_LOST; the next call starts it again', async () => {
    const logs: LogEntry[] = [];
    const connection = await connectMcp(everythingOverStdio(), {
      log: (message, meta) => logs.push({ message, meta }),
    });
    const tools = new InMemoryToolAdapter();
    await connection.registerTools(tools, { include: ['echo', 'trigger-long-running-operation'] });
    const firstPid = connection.pid!;
    const pending = failureOf(
      tools.invoke('trigger-long-running-operation', { duration: 5, steps: 5 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(firstPid, 'SIGKILL');

    const error = await pending;
    expect(ToolError.isInstance(error)).toBe(true);
    expect(error.code).toBe('MCP_CONNECTION_LOST');
    expect(error.toolName).toBe('trigger-long-running-operation');
    expect(error.details).toMatchObject({ server: 'mcp-servers/everything' });
    expect(logs.find((entry) => entry.message.includes('went away'))?.meta).toMatchObject({
      level: 'warn',
      server: 'mcp-servers/everything',
      pid: firstPid,
    });
    expect(await gone(firstPid)).toBe(true);
    expect(connection.pid).toBeUndefined();

    // The next call starts a new server process and runs.
    expect(await tools.invoke('echo', { message: 'back again' })).toBe('Echo: back again');
    const secondPid = connection.pid!;
    expect(secondPid).not.toBe(firstPid);
    await connection.close();
    expect(processExists(secondPid)).toBe(false);
  });

  it('with reconnect off, calls after a crash fail with MCP_CONNECTION_LOST and start nothing', async () => {
    const connection = await connectMcp(everythingOverStdio(), { log: () => {}, reconnect: false });
    const pid = connection.pid!;
    process.kill(pid, 'SIGKILL');
    expect(await gone(pid)).toBe(true);
    // Wait until the connection has seen the exit.
    while (connection.pid !== undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    const error = await failureOf(connection.callTool('echo', { message: 'x' }));
    expect(error.code).toBe('MCP_CONNECTION_LOST');
    expect(error.message).toContain('reconnect is off');
    expect(connection.pid).toBeUndefined();
    await connection.close();
  });

  it('a server that cannot start again fails the call with MCP_CONNECTION_FAILED and its stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pantheon-mcp-gone-'));
    dirs.push(dir);
    const connection = await connectMcp(filesystemOverStdio(dir), { log: () => {} });
    const pid = connection.pid!;
    rmSync(dir, { recursive: true });
    process.kill(pid, 'SIGKILL');
    expect(await gone(pid)).toBe(true);
    while (connection.pid !== undefined) await new Promise((resolve) => setTimeout(resolve, 10));

    const error = await failureOf(connection.callTool('list_allowed_directories'));
    expect(ToolError.isInstance(error)).toBe(true);
    expect(error.code).toBe('MCP_CONNECTION_FAILED');
    expect(error.toolName).toBe('list_allowed_directories');
    expect(error.details.stderr).toContain(dir);
    expect(connection.pid).toBeUndefined();
    await connection.close();
  });

  it('a command that does not exist is MCP_CONNECTION_FAILED at connect', async () => {
    const error = await failureOf(connectMcp({ command: 'pantheon-no-such-mcp-server' }));
    expect(error.name).toBe('PantheonError');
    expect(error.code).toBe('MCP_CONNECTION_FAILED');
    expect(error.message).toContain('pantheon-no-such-mcp-server');
  });

  it('a server that exits during the handshake is MCP_CONNECTION_FAILED quoting its stderr', async () => {
    const missing = join(tmpdir(), 'pantheon-mcp-does-not-exist');
    const error = await failureOf(connectMcp(filesystemOverStdio(missing), { name: 'files' }));
    expect(error.code).toBe('MCP_CONNECTION_FAILED');
    expect(error.details.server).toBe('files');
    expect(error.details.stderr).toContain(missing);
    expect(error.message).toContain('The server wrote:');
  });

  it('a malformed address is CONFIG_ERROR, and nothing is started', async () => {
    for (const address of [
      {},
      { command: '' },
      { command: 'node', url: 'http://127.0.0.1/mcp' },
      { url: 'not a url' },
      { url: 'ftp://127.0.0.1/mcp' },
      { command: 'node', args: 'server.js' },
    ]) {
      const error = await failureOf(connectMcp(address as never));
      expect(error.name).toBe('ConfigError');
      expect(error.code).toBe('CONFIG_ERROR');
    }
    const badTimeout = await failureOf(connectMcp(everythingOverStdio(), { timeoutMs: 0 }));
    expect(badTimeout.code).toBe('CONFIG_ERROR');
  });

  it('an actor system shut down during a tool call: close() ends the call and the server', async () => {
    const tools = new InMemoryToolAdapter();
    const connection = await connectMcp(everythingOverStdio(), { log: () => {} });
    await connection.registerTools(tools, { include: ['trigger-long-running-operation'] });
    const pid = connection.pid!;
    const llm = new MockLlmAdapter();
    const call: Message = {
      role: 'assistant',
      content: '',
      toolCalls: [
        { id: 'c1', name: 'trigger-long-running-operation', args: { duration: 5, steps: 5 } },
      ],
    };
    llm.queueResponses(call);
    // Then the model answers with what the tool call came back with.
    llm.setResponse((messages) => ({ role: 'assistant', content: messages.at(-1)!.content }));
    const system = new PantheonSystem({
      contextAdapter: new InMemoryContextAdapter(),
      toolAdapter: tools,
      llmAdapter: llm,
      messageBus: new InMemoryMessageBus(),
      scheduler: new NodeScheduler(),
      actorStateAdapter: new InMemoryActorStateAdapter(),
      log: () => {},
    });
    const actor = await system.createActor({
      id: 'worker',
      name: 'worker',
      goals: ['Run long operations'],
      script: {
        name: 'worker',
        contextSources: [],
        talents: [
          {
            name: 'work',
            behaviors: [llmBehavior({ name: 'work', tools: ['trigger-long-running-operation'] })],
          },
        ],
      },
    });
    await system.startActor(actor.id);
    const asked = system.ask(actor.id, 'Run it', { timeoutMs: 10_000 });
    while (llm.getCalls().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // shutdown() waits for the running tick, whose tool call runs for 5 s: closing the
    // connection ends the call at once, and the tick with it.
    const shutdown = system.shutdown({ drain: false });
    await connection.close();
    await shutdown;
    expect(processExists(pid)).toBe(false);
    const answer = await asked;
    expect(answer.content).toMatch(
      /^Error \(MCP_CONNECTION_CLOSED\): The connection to MCP server/,
    );
  });

  it('a parent that exits without close() leaves no server behind', async () => {
    const { pid, parent } = await startParent('exit');
    const code = await new Promise((resolve) => parent.once('exit', resolve));
    expect(code).toBe(0);
    expect(await gone(pid)).toBe(true);
  }, 60_000);

  it('a parent killed with SIGKILL leaves no server behind (its stdin closes)', async () => {
    const { pid, parent } = await startParent('hang');
    expect(processExists(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await gone(pid)).toBe(true);
  }, 60_000);
});

async function startParent(mode: 'exit' | 'hang') {
  const parent = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', parentScript, mode],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  parent.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const pid = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    parent.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { pid: number }).pid);
    });
    parent.once('exit', () => reject(new Error(`the parent exited early:\n${stderr}`)));
  });
  return { pid, parent };
}
