// `pantheon dev` in a terminal, as a user sees it: a tmux session on a server of its own, a shell
// in which the test types the command, and the screen read back with capture-pane. Ctrl-C there
// reaches the whole foreground process group (the supervisor and the app process), unlike the
// single signal of cli-dev.test.ts.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltCli, buildCli, cleanEnvironment } from './built-cli.test-support';
import { cliCommandLine } from './dev-process.test-support';
import { scaffold } from './scaffold.test-support';

// A tmux server of the test's own, on a socket in a folder it removes.
const socketDir = mkdtempSync(join(tmpdir(), 'pantheon-dev-tmux-'));
let cli: BuiltCli;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-S', join(socketDir, 'socket'), '-f', '/dev/null', ...args], {
    encoding: 'utf8',
  });
}

/** The screen, wrapped lines joined, trailing blank lines dropped. */
function screen(): string {
  return tmux('capture-pane', '-p', '-J', '-t', 'dev', '-S', '-200').replace(/\n+$/, '\n');
}

async function waitForScreen(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`no ${pattern} on the screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  cli = await buildCli();
}, 60_000);

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // not started, or already gone
  }
  rmSync(socketDir, { recursive: true, force: true });
  cli?.remove();
});

describe('pantheon dev in a terminal', () => {
  it('shows the banner, a restart line after an edit, and exits 0 on Ctrl-C', async () => {
    const { dir } = await scaffold(cli);
    // `pantheon` on the PATH: the built bin, run as in the other CLI tests.
    const bin = join(dirname(cli.bin), 'terminal-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pantheon'), `#!/bin/sh\nexec ${cliCommandLine(cli).join(' ')} "$@"\n`);
    chmodSync(join(bin, 'pantheon'), 0o755);
    // A shell with the test's clean environment (no API key), any free app port, `$ ` prompt.
    const env = cleanEnvironment({ PANTHEON_PORT: '0', PATH: `${bin}:${process.env.PATH}` });
    const quoted = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
    const rc = join(bin, 'bashrc');
    writeFileSync(
      rc,
      `${Object.entries(env)
        .map(([key, value]) => `export ${key}=${quoted(value)}`)
        .join('\n')}\nPS1='$ '\n`,
    );
    tmux(
      'new-session',
      '-d',
      '-s',
      'dev',
      '-x',
      '200',
      '-y',
      '50',
      '-c',
      dir,
      `env -i bash --noprofile --rcfile ${rc}`,
    );
    await waitForScreen(/^\$ $/m, 15_000);
    tmux('send-keys', '-t', 'dev', 'pantheon dev --inspector-port 0', 'Enter');

    const banner = await waitForScreen(/^Watching \. for changes\. Ctrl-C to stop\.$/m);
    expect(banner).toMatch(
      /^\$ pantheon dev --inspector-port 0\npantheon dev: src\/app\.ts \(configuration pantheon\.config\.ts\)\n {2}app {9}http:\/\/127\.0\.0\.1:\d+ {3}try: npx pantheon ask assistant "Hello" --url http:\/\/127\.0\.0\.1:\d+\n {2}inspector {3}http:\/\/127\.0\.0\.1:\d+\/\n {2}model {7}OFFLINE: \[offline mock model\]/m,
    );
    expect(banner).toContain('(OPENAI_API_KEY is not set; set it and run pantheon dev again');
    const inspector = /^ {2}inspector {3}(http:\S+)$/m.exec(banner)![1]!;
    expect((await fetch(inspector)).status).toBe(200);

    const tools = join(dir, 'src/actors/assistant/tools.ts');
    writeFileSync(tools, readFileSync(tools, 'utf8').replace('The current date', 'The date'));
    const restarted = await waitForScreen(
      /^\[dev\] restarted in \d+\.\d s: app http:\S+, inspector http:\S+$/m,
    );
    expect(restarted).toMatch(
      /^\[dev\] restarting: src\/actors\/assistant\/tools\.ts changed\n\[dev\] restarted in /m,
    );

    tmux('send-keys', '-t', 'dev', 'C-c');
    const stopped = await waitForScreen(/^\[dev\] stopped\n\$ $/m);
    // The terminal echoes ^C; the next line starts on a line of its own.
    expect(stopped).toMatch(/^\^C\n\[dev\] SIGINT: stopping the app\n\[dev\] stopped\n\$ $/m);
    expect(stopped).not.toMatch(/^\s+at /m);
    tmux('send-keys', '-t', 'dev', 'echo "exit=$?"', 'Enter');
    await waitForScreen(/^exit=0$/m);
    await expect(fetch(inspector)).rejects.toThrow();
  }, 120_000);
});
