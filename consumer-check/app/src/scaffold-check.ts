// The app `pantheon init` made, installed from the tarballs, run in its folder (the working
// directory) with its own node_modules/.bin/pantheon: `pantheon start` refuses to start without
// the model's API key, then runs on the offline mock model, answers the health check of the app's
// Dockerfile and an ask, and drains on SIGTERM; `pantheon dev` prints its banner (offline model
// labelled, inspector page up), restarts after an edit and stops on SIGINT. Every step asserts
// and prints one line.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ok = (line: string) => console.log(`  ok  ${line}`);
const bin = resolve('node_modules/.bin/pantheon');

const env: Record<string, string | undefined> = { ...process.env, PANTHEON_PORT: '0' };
for (const key of Object.keys(env))
  if (/^(PANTHEON_(?!PORT$)|OPENAI_|ANTHROPIC_)/.test(key)) delete env[key];

function pantheon(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: { ...env, ...extra },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A running command, its output collected. */
function running(args: string[], extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', bin, ...args], {
    env: { ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    output.text += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.text += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('close', done));
  return { child, output, exited };
}

async function waitFor(
  run: { child: ChildProcess; output: { text: string } },
  pattern: RegExp,
  what: string,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = pattern.exec(run.output.text);
    if (match) return match;
    assert.equal(run.child.exitCode, null, `exited before ${what}:\n${run.output.text}`);
    assert.ok(Date.now() < deadline, `no ${what} within 60 s:\n${run.output.text}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

const noKey = pantheon(['start']);
assert.equal(noKey.code, 1);
assert.match(noKey.stderr, /OPENAI_API_KEY is not set/);
assert.match(noKey.stderr, /PANTHEON_LLM_PROVIDER=mock/);
assert.doesNotMatch(noKey.stderr, /^\s+at /m);
ok('pantheon start without OPENAI_API_KEY: says which variable to set, exit 1');

const start = running(['start'], { PANTHEON_LLM_PROVIDER: 'mock' });
const url = JSON.parse(
  (await waitFor(start, /^\{.*"msg":"Pantheon started".*\}$/m, 'Pantheon started'))[0],
).url as string;
const healthCheck = /^HEALTHCHECK .*\\\n\s+CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'));
assert.ok(healthCheck, 'the Dockerfile has a HEALTHCHECK');
const [command, ...args] = JSON.parse(healthCheck[1]!) as string[];
assert.equal(command, 'node_modules/.bin/pantheon');
const health = pantheon(args.map((arg) => (arg === 'http://127.0.0.1:3000' ? url : arg)));
assert.equal(health.code, 0, health.stderr);
const asked = pantheon(['ask', 'assistant', 'What time is it?', '--url', url]);
assert.equal(asked.code, 0, asked.stderr);
assert.equal(asked.stdout, '[offline mock model] You said: What time is it?\n');
start.child.kill('SIGTERM');
assert.equal(await start.exited, 0, start.output.text);
ok(`pantheon start: the Dockerfile's health check and an ask answer at ${url}; SIGTERM exits 0`);

const dev = running(['dev', '--inspector-port', '0']);
await waitFor(dev, /^Watching \. for changes/m, 'the dev banner');
assert.match(dev.output.text, /^ {2}model {7}OFFLINE: \[offline mock model\]/m);
assert.match(dev.output.text, /OPENAI_API_KEY is not set/);
const inspector = /^ {2}inspector {3}(http:\S+)$/m.exec(dev.output.text)![1]!;
const appUrl = /^ {2}app {9}(http:\S+)/m.exec(dev.output.text)![1]!;
const page = await fetch(inspector);
assert.equal(page.status, 200);
assert.match(await page.text(), /<html/i);
const listed = pantheon(['actors', '--url', appUrl]);
assert.match(listed.stdout, /^assistant\s+assistant\s+assistant\s+idle\s+yes\s+0$/m);
ok(`pantheon dev: the offline model labelled, the inspector at ${inspector}, the app at ${appUrl}`);

appendFileSync('src/app.ts', '// edited\n');
await waitFor(dev, /^\[dev\] restarting: src\/app\.ts changed$/m, 'the restart line');
await waitFor(dev, /^\[dev\] restarted in [\d.]+ s: app /m, 'the restart');
dev.child.kill('SIGINT');
assert.equal(await dev.exited, 0, dev.output.text);
assert.match(dev.output.text, /^\[dev\] stopped$/m);
ok('pantheon dev: an edit restarts the app; SIGINT stops it, exit 0');
