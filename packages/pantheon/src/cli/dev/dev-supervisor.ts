import { type ChildProcess, spawn } from 'node:child_process';
import { relative } from 'node:path';
import type { CliIo } from '../command';
import { DEV_CHILD_VARIABLE, type DevReady } from './dev-child';
import { watchSources } from './watch-sources';

/** How long a stopping app process may take before it is killed. */
const STOP_DEADLINE_MS = 10_000;
/** Ctrl-C, a process manager's stop, the terminal closing. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What the supervisor runs. */
export interface DevSupervisorOptions {
  /** The arguments of `pantheon dev` the app process gets (after `dev`). */
  childArgs: string[];
  /** The folder watched: the configuration file's. */
  root: string;
  /** How the app process is started: `node [its flags] <the pantheon bin>`. */
  command: { execPath: string; args: string[] };
  /** Standard output is a terminal: after its `^C`, the next line starts on a line of its own. */
  terminal: boolean;
}

/** One run of the app process. */
interface Run {
  child: ChildProcess;
  /** The ready message, or the exit code when it ended before. */
  started: Promise<{ ready: DevReady } | { exitCode: number }>;
  exited: Promise<number>;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function banner(ready: DevReady, root: string, io: CliIo): string {
  const shown = (path: string) => relative(io.cwd, path) || '.';
  const ask = ready.actors[0]
    ? `   try: npx pantheon ask ${ready.actors[0]} "Hello"${
        new URL(ready.url).port === String(ready.configuredPort) ? '' : ` --url ${ready.url}`
      }`
    : '';
  const model = ready.offline
    ? `OFFLINE: ${ready.model}\n              (${ready.offline})`
    : ready.model;
  return [
    `pantheon dev: ${shown(ready.entry)}${ready.file ? ` (configuration ${shown(ready.file)})` : ''}`,
    `  app         ${ready.url}${ask}`,
    `  inspector   ${ready.inspectorUrl ?? 'none: a cluster node (the inspector watches one process)'}`,
    `  model       ${model}`,
    `  persistence ${ready.persistence}`,
    `  actors      ${ready.actors.length > 0 ? ready.actors.join(', ') : '(none)'}`,
    `Watching ${shown(root)} for changes. Ctrl-C to stop.`,
    '',
  ].join('\n');
}

function describeChange(files: readonly string[]): string {
  const [first] = files;
  return files.length === 1
    ? `${first} changed`
    : `${first} and ${plural(files.length - 1, 'other file')} changed`;
}

/**
 * `pantheon dev`: runs the app in a child process and a new one whenever a source file or the
 * configuration changes (debounced), until SIGINT, SIGTERM or SIGHUP. The first start failing
 * ends it with that exit code; a later one failing is reported and waits for the next change.
 */
export async function superviseDev(options: DevSupervisorOptions, io: CliIo): Promise<number> {
  const say = (line: string) => io.stdout(`[dev] ${line}\n`);

  const startRun = (): Run => {
    const child = spawn(
      options.command.execPath,
      [...options.command.args, 'dev', ...options.childArgs],
      {
        cwd: io.cwd,
        env: { ...io.env, [DEV_CHILD_VARIABLE]: '1' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
      child.once('error', () => resolve(1));
    });
    const started = new Promise<{ ready: DevReady } | { exitCode: number }>((resolve) => {
      child.on('message', (message) => {
        if ((message as DevReady | undefined)?.type === 'ready') {
          resolve({ ready: message as DevReady });
        }
      });
      void exited.then((exitCode) => resolve({ exitCode }));
    });
    return { child, started, exited };
  };

  const stopRun = async (run: Run): Promise<void> => {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGTERM');
      const timer = setTimeout(() => run.child.kill('SIGKILL'), STOP_DEADLINE_MS);
      await run.exited;
      clearTimeout(timer);
    }
  };

  let run = startRun();
  const first = await run.started;
  if ('exitCode' in first) return first.exitCode === 0 ? 1 : first.exitCode;
  // Listening before the banner says it runs: a signal sent on seeing it is never missed.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (name: NodeJS.Signals) => {
      for (const stopSignal of STOP_SIGNALS) process.off(stopSignal, onSignal);
      resolve(name);
    };
    for (const stopSignal of STOP_SIGNALS) process.on(stopSignal, onSignal);
  });
  io.stdout(banner(first.ready, options.root, io));

  let stopping = false;
  let restarting: Promise<void> | undefined;
  let pendingChange: string[] | undefined;

  const watchExit = (current: Run) => {
    void current.exited.then((code) => {
      if (!stopping && run === current && restarting === undefined) {
        say(`the app exited (code ${code}): waiting for a change to start it again`);
      }
    });
  };
  watchExit(run);

  const restart = async (files: string[]): Promise<void> => {
    say(`restarting: ${describeChange(files)}`);
    const began = Date.now();
    await stopRun(run);
    if (stopping) return;
    run = startRun();
    const result = await run.started;
    if (stopping) return;
    if ('ready' in result) {
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
      say(
        `restarted in ${seconds} s: app ${result.ready.url}${result.ready.inspectorUrl ? `, inspector ${result.ready.inspectorUrl}` : ''}`,
      );
      watchExit(run);
    } else {
      say(
        `the app did not start (exit code ${result.exitCode}): fix the error above and save, and it starts again`,
      );
    }
  };

  const onChange = (files: string[]) => {
    if (stopping) return;
    if (restarting) {
      pendingChange = [...new Set([...(pendingChange ?? []), ...files])].sort();
      return;
    }
    restarting = (async () => {
      let next: string[] | undefined = files;
      while (next && !stopping) {
        pendingChange = undefined;
        await restart(next);
        next = pendingChange;
      }
      restarting = undefined;
    })();
  };

  const watch = watchSources(options.root, { onChange });
  const signal = await signalled;
  stopping = true;
  watch.close();
  if (signal === 'SIGINT' && options.terminal) io.stdout('\n');
  say(`${signal}: stopping the app`);
  // The app process running now; a restart under way sees `stopping` and starts no other.
  await stopRun(run);
  await restarting;
  await stopRun(run);
  say('stopped');
  return 0;
}
