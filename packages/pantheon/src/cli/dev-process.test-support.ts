/**
 * `pantheon dev` from the built bin in a child process, its output (standard output and error,
 * as a terminal shows them) collected as text.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { BuiltCli } from './built-cli.test-support';

const tsxLoader = import.meta.resolve('tsx');

/** How the built bin is run: Node with tsx, so that the workspace packages load from sources. */
export function cliCommandLine(cli: BuiltCli): string[] {
  return [
    process.execPath,
    '--disable-warning=ExperimentalWarning',
    '--import',
    tsxLoader,
    cli.bin,
  ];
}

const running = new Set<ChildProcess>();

/** A running `pantheon dev`. */
export class DevProcess {
  output = '';
  private readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  /** The first match of `pattern` in the output from `from` on, waiting up to `timeoutMs`. */
  async waitFor(pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}) {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const match = pattern.exec(this.output.slice(options.from ?? 0));
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`pantheon dev exited before printing ${pattern}:\n${this.output}`);
      }
      if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The banner's address of the app and of the inspector. */
  urls(): { app: string; inspector: string } {
    const app = /^ {2}app {9}(http:\S+)/m.exec(this.output)?.[1];
    const inspector = /^ {2}inspector {3}(http:\S+)/m.exec(this.output)?.[1];
    if (!app || !inspector) throw new Error(`no banner in:\n${this.output}`);
    return { app, inspector };
  }

  /** Sends `signal` and resolves the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }
}

/** Starts `pantheon dev …args` in `cwd`. */
export function startDev(
  cli: BuiltCli,
  options: { cwd: string; env: Record<string, string>; args?: readonly string[] },
): DevProcess {
  const [node, ...flags] = cliCommandLine(cli);
  const child = spawn(node!, [...flags, 'dev', ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new DevProcess(child);
}

/** Kills every `pantheon dev` still running (after a failed test); its app process follows. */
export function killDevProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}
