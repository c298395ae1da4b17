// The `pantheon` bin as npm installed it (node_modules/.bin/pantheon), run with this Node: --help,
// `pantheon start` on a SQLite file with the app of src/pantheon-app.ts (a TypeScript entry, which
// the bin compiles with tsx), its health and readiness, `pantheon ask` and `pantheon actors`
// against it, then SIGTERM: a clean drain exits 0. Every step asserts and prints one line.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ok = (line: string) => console.log(`  ok  ${line}`);
const bin = resolve('node_modules/.bin/pantheon');
accessSync(bin, constants.X_OK);
ok('node_modules/.bin/pantheon is installed and executable');

const env = { ...process.env };
for (const key of Object.keys(env))
  if (/^(PANTHEON_|OPENAI_|ANTHROPIC_)/.test(key)) delete env[key];

function pantheon(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const help = pantheon(['--help'], process.cwd());
assert.equal(help.code, 0, help.stderr);
for (const command of ['init', 'dev', 'start', 'ask', 'actors', 'health']) {
  assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
}
ok('pantheon --help lists init, dev, start, ask, actors and health');

const dir = mkdtempSync(join(tmpdir(), 'pantheon-consumer-cli-'));
try {
  const missing = pantheon(['start'], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\[CONFIG_NOT_FOUND\]/);
  assert.doesNotMatch(missing.stderr, /^\s+at /m);
  ok('pantheon start without a configuration: CONFIG_NOT_FOUND, exit 1, no stack trace');

  writeFileSync(
    join(dir, 'pantheon.config.json'),
    JSON.stringify({
      entry: resolve('src/pantheon-app.ts'),
      adapters: { persistence: { type: 'sqlite', file: './pantheon.db' } },
      http: { port: 0 },
    }),
  );
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', bin, 'start'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('close', done));
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  const deadline = Date.now() + 30_000;
  let started: Record<string, unknown> | undefined;
  while (!started) {
    started = lines.find((line) => line.msg === 'Pantheon started');
    assert.equal(child.exitCode, null, 'pantheon start exited early');
    assert.ok(Date.now() < deadline, 'pantheon start did not start within 30 s');
    await new Promise((done) => setTimeout(done, 50));
  }
  const url = started.url as string;
  ok(`pantheon start is up at ${url} (JSON logs)`);

  assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
  const ready = (await (await fetch(`${url}/readyz`)).json()) as { status: string };
  assert.equal(ready.status, 'ready');
  assert.match(await (await fetch(`${url}/metrics`)).text(), /^pantheon_mailbox_depth 0$/m);
  ok('/healthz, /readyz (SQLite probed) and /metrics answer');

  const asked = pantheon(['ask', 'echo', 'Hello from npm', '--url', url], dir);
  assert.equal(asked.code, 0, asked.stderr);
  assert.equal(asked.stdout, '[offline mock model] You said: Hello from npm\n');
  const listed = pantheon(['actors', '--url', url], dir);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^echo\s+echo\s+echo\s+idle\s+yes\s+0$/m);
  const health = pantheon(['health', '--ready', '--url', url], dir);
  assert.equal(health.code, 0, health.stderr);
  ok('pantheon ask, pantheon actors and pantheon health --ready talk to it');

  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(lines.at(-1)?.msg, 'Shutdown complete: every message was handled');
  ok('SIGTERM: drained, shutdown report logged, exit 0');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
