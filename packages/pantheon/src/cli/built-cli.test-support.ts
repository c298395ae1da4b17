/**
 * Builds the `pantheon` bin with tsup, as `pnpm build` does (same entry, ESM, externals), into a
 * folder of its own under the package, and runs it in child processes. The workspace packages it
 * imports resolve to their sources through tsx and the repository's tsconfig paths, so the tests
 * need no build of the other packages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import packageJson from '../../package.json' with { type: 'json' };

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const repoDir = fileURLToPath(new URL('../../../../', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** The app module the tests' configurations name as `entry`. */
export const TEST_APP = fileURLToPath(new URL('./cli-app.test-support.ts', import.meta.url));

/** The bin, built once per test file. */
export interface BuiltCli {
  bin: string;
  remove(): void;
}

export async function buildCli(): Promise<BuiltCli> {
  const outDir = mkdtempSync(join(packageDir, '.cli-build-'));
  // What tsup leaves external when it builds in the package folder: its dependencies.
  const external = [
    ...Object.keys(packageJson.dependencies),
    ...Object.keys(packageJson.peerDependencies),
  ].map((name) => new RegExp(`^${name.replace('/', '\\/')}(/|$)`));
  await build({
    entry: { cli: join(packageDir, 'src/cli/bin.ts') },
    format: ['esm'],
    target: 'node22',
    removeNodeProtocol: false,
    outDir,
    external,
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
  });
  return {
    bin: join(outDir, 'cli.js'),
    remove: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

/** The test process's environment without anything that configures Pantheon or a model. */
export function cleanEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(PANTHEON_|OPENAI_|ANTHROPIC_|NODE_OPTIONS$|VITEST)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, TSX_TSCONFIG_PATH: join(repoDir, 'tsconfig.json'), ...extra };
}

const children = new Set<ChildProcess>();

function spawnCli(
  cli: BuiltCli,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
) {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', tsxLoader, cli.bin, ...args],
    { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** What a finished command printed and exited with. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `pantheon <args>` to its end. */
export function runCommand(
  cli: BuiltCli,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const child = spawnCli(cli, args, options.cwd, options.env ?? cleanEnvironment());
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One structured log line of `pantheon start`. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

/** A running `pantheon start`, its JSON log lines parsed as they come. */
export class RunningInstance {
  readonly lines: LogLine[] = [];
  stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ level: 'raw', msg: line });
        }
        newline = buffer.indexOf('\n');
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  /** The base URL it logged at start. */
  get url(): string {
    const started = this.lines.find((line) => line.msg === 'Pantheon started');
    if (!started) throw new Error(`not started:\n${this.output()}`);
    return started.url as string;
  }

  output(): string {
    return `${this.lines.map((line) => JSON.stringify(line)).join('\n')}\n${this.stderr}`;
  }

  /** Resolves with the first log line whose message is `msg`, waiting up to `timeoutMs`. */
  async waitForLog(msg: string, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((line) => line.msg === msg);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `exited (${this.child.exitCode}) before logging "${msg}":\n${this.output()}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`no "${msg}" within ${timeoutMs} ms:\n${this.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends `signal` and resolves the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }

  /** The exit code, once it exits by itself. */
  exitCode(): Promise<number | null> {
    return this.exited;
  }
}

/** Starts `pantheon start` in `cwd` and waits until it logged "Pantheon started". */
export async function startInstance(
  cli: BuiltCli,
  options: { cwd: string; env?: Record<string, string>; args?: readonly string[] },
): Promise<RunningInstance> {
  const instance = new RunningInstance(
    spawnCli(
      cli,
      ['start', ...(options.args ?? [])],
      options.cwd,
      options.env ?? cleanEnvironment(),
    ),
  );
  await instance.waitForLog('Pantheon started');
  return instance;
}

/** Kills every child still running (after a failed test). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** A temporary app folder with `pantheon.config.json` holding `config`. */
export function appFolder(config: Record<string, unknown>): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pantheon-cli-app-'));
  writeFileSync(join(dir, 'pantheon.config.json'), JSON.stringify(config, null, 2));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
