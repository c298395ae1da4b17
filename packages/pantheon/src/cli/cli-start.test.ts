// `pantheon start` as a user runs it: the built bin in a child process, over HTTP, with real
// SQLite files, PostgreSQL (behind a proxy the test cuts) and NATS (a server the test kills).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CuttableProxy,
  deleteStreams,
  dropSchema,
  OwnNatsServer,
  POSTGRES_URL,
  testSchema,
  testStream,
} from '../services.test-support';
import {
  appFolder,
  type BuiltCli,
  buildCli,
  cleanEnvironment,
  killChildren,
  type RunningInstance,
  runCommand,
  startInstance,
  TEST_APP,
} from './built-cli.test-support';

let cli: BuiltCli;
const folders: { remove(): void }[] = [];

beforeAll(async () => {
  cli = await buildCli();
}, 60_000);

afterAll(() => {
  killChildren();
  for (const folder of folders) folder.remove();
  cli?.remove();
});

function folder(config: Record<string, unknown>) {
  const created = appFolder({ entry: TEST_APP, http: { port: 0 }, ...config });
  folders.push(created);
  return created.dir;
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Asks over HTTP; never rejects: a request whose connection broke is `{ status: 0 }`. */
function ask(base: string, actor: string, message: string): Promise<{ status: number; body: any }> {
  return fetch(`${base}/actors/${actor}/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, timeoutMs: 60_000 }),
  }).then(
    async (response) => ({ status: response.status, body: await response.json() }),
    (error: unknown) => ({ status: 0, body: { error: String(error) } }),
  );
}

/**
 * The arguments of the `HEALTHCHECK` of the Dockerfile in docs/deployment.md, its URL pointed at
 * `base` (the instance listens on a free port, not 3000).
 */
function healthCheckOfTheDockerfile(base: string): string[] {
  const doc = readFileSync(new URL('../../../../docs/deployment.md', import.meta.url), 'utf8');
  const command = /^HEALTHCHECK .*\\\n\s+CMD (\[.*\])$/m.exec(doc)?.[1];
  expect(command, 'the HEALTHCHECK of docs/deployment.md').toBeDefined();
  const [bin, ...args] = JSON.parse(command!) as string[];
  expect(bin).toBe('node_modules/.bin/pantheon');
  expect(args).toEqual(['health', '--url', 'http://127.0.0.1:3000']);
  return args.map((arg) => (arg === 'http://127.0.0.1:3000' ? base : arg));
}

/** Polls `/actors` until the actor's mailbox holds `depth` messages (waiting or in a tick). */
async function mailboxDepth(base: string, actor: string, depth: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { body } = await getJson(`${base}/actors`);
    const found = (body.actors as { id: string; mailboxDepth: number }[]).find(
      (a) => a.id === actor,
    );
    if (found?.mailboxDepth === depth) return;
    if (Date.now() > deadline) throw new Error(`mailbox of ${actor}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls `/readyz` until it answers `status`; resolves its body. */
async function readiness(base: string, status: number, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await getJson(`${base}/readyz`);
    if (answer.status === status) return answer.body;
    if (Date.now() > deadline) throw new Error(`readyz: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('pantheon start', () => {
  it('serves health, readiness, metrics and the actors, answers ask and actors, and drains on SIGTERM', async () => {
    // A TypeScript configuration, compiled by tsx, typed with defineConfig.
    const dir = folder({});
    writeFileSync(
      join(dir, 'pantheon.config.ts'),
      `import { defineConfig } from '@promethean-os/pantheon';
export default defineConfig({ entry: ${JSON.stringify(TEST_APP)}, http: { port: 0 } });
`,
    );
    // Two configuration files are ambiguous: keep the TypeScript one only.
    rmSync(join(dir, 'pantheon.config.json'));
    // Slow enough that the test sees both of its questions waiting in the mailbox.
    const instance = await startInstance(cli, {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_TEST_SLOW_MS: '1500' }),
    });
    const base = instance.url;

    expect(await getJson(`${base}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await getJson(`${base}/readyz`)).toEqual({
      status: 200,
      body: { status: 'ready', checks: [] },
    });

    const answer = await runCommand(cli, ['ask', 'echo', 'Is anyone there?', '--url', base], {
      cwd: dir,
    });
    expect(answer).toMatchObject({ code: 0, stderr: '' });
    expect(answer.stdout).toBe('[offline mock model] You said: Is anyone there?\n');

    // Without --url, the client reads the instance's address from PANTHEON_URL.
    const listed = await runCommand(cli, ['actors'], {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_URL: base }),
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').map((line) => line.split(/\s+/))).toEqual([
      ['ID', 'NAME', 'SCRIPT', 'STATE', 'RUNNING', 'MAILBOX'],
      ['echo', 'echo', 'echo', 'idle', 'yes', '0'],
      ['slow', 'slow', 'slow', 'idle', 'yes', '0'],
      [''],
    ]);

    const asJson = await runCommand(cli, ['ask', 'echo', 'first', '--json', '--url', base], {
      cwd: dir,
    });
    const reply = JSON.parse(asJson.stdout);
    expect(reply).toEqual({
      id: expect.any(String),
      from: 'echo',
      content: '[offline mock model] You said: first',
      conversationId: expect.any(String),
    });
    const [followUp, listedJson] = await Promise.all([
      runCommand(
        cli,
        ['ask', 'echo', 'second', '--conversation', reply.conversationId, '--json', '--url', base],
        { cwd: dir },
      ),
      runCommand(cli, ['actors', '--json', '--url', base], { cwd: dir }),
    ]);
    expect(JSON.parse(followUp.stdout).conversationId).toBe(reply.conversationId);
    expect(JSON.parse(listedJson.stdout)).toEqual([
      { id: 'echo', name: 'echo', script: 'echo', state: 'idle', started: true, mailboxDepth: 0 },
      { id: 'slow', name: 'slow', script: 'slow', state: 'idle', started: true, mailboxDepth: 0 },
    ]);

    const unknown = await runCommand(cli, ['ask', 'nobody', 'Hello?', '--url', base], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Actor "nobody" not found [ACTOR_NOT_FOUND]');
    expect(unknown.stderr).toContain('pantheon actors');

    const health = await runCommand(cli, ['health', '--ready', '--url', base], { cwd: dir });
    expect(health).toMatchObject({ code: 0, stdout: 'readyz: ready\n' });
    const dockerCheck = await runCommand(cli, healthCheckOfTheDockerfile(base), { cwd: dir });
    expect(dockerCheck).toEqual({ code: 0, stdout: 'healthz: ok\n', stderr: '' });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /^pantheon_actor_ticks_total\{actor_name="echo",status="success"\} 3$/m,
    );
    expect(metrics).toMatch(/^pantheon_mailbox_depth 0$/m);
    expect(metrics).toMatch(/^pantheon_pending_asks 0$/m);
    expect(metrics).toContain('# TYPE process_cpu_user_seconds_total counter');

    // Two questions to the slow actor are in its mailbox when SIGTERM comes: both are answered.
    const pending = [ask(base, 'slow', 'first'), ask(base, 'slow', 'second')];
    await mailboxDepth(base, 'slow', 2);
    const exit = instance.stop('SIGTERM');
    expect(await Promise.all(pending)).toEqual([
      {
        status: 200,
        body: { reply: expect.objectContaining({ content: 'slow answer to: first' }) },
      },
      {
        status: 200,
        body: { reply: expect.objectContaining({ content: 'slow answer to: second' }) },
      },
    ]);
    expect(await exit).toBe(0);
    expect(instance.lines.find((line) => line.msg === 'Draining')).toMatchObject({
      signal: 'SIGTERM',
      timeoutMs: 10_000,
    });
    expect(instance.lines.at(-1)).toMatchObject({
      level: 'info',
      msg: 'Shutdown complete: every message was handled',
      report: { interrupted: [], kept: [], lost: [] },
    });
    expect(instance.lines.every((line) => line.level !== 'raw')).toBe(true);
    expect(instance.stderr).toBe('');
    const down = await runCommand(cli, healthCheckOfTheDockerfile(base), { cwd: dir });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('[INSTANCE_UNREACHABLE]');
  }, 90_000);

  it('reports what is left at the drain deadline: lost in memory, exit code 1', async () => {
    const dir = folder({ shutdown: { timeoutMs: 300 } });
    const env = cleanEnvironment({ PANTHEON_TEST_SLOW_MS: '30000' });
    const instance = await startInstance(cli, { cwd: dir, env });
    const base = instance.url;
    const asks = [ask(base, 'slow', 'a'), ask(base, 'slow', 'b'), ask(base, 'slow', 'c')];
    await mailboxDepth(base, 'slow', 3);

    expect(await instance.stop('SIGTERM')).toBe(1);
    const answers = await Promise.all(asks);
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503, body: { error: { code: 'SYSTEM_SHUT_DOWN' } } });
    }
    const report = instance.lines.find((line) => line.msg === 'Shutdown left messages');
    expect(report).toMatchObject({ level: 'warn' });
    const { interrupted, kept, lost } = report!.report as {
      interrupted: { actorId: string }[];
      kept: unknown[];
      lost: { to: string }[];
    };
    expect(interrupted).toEqual([expect.objectContaining({ actorId: 'slow' })]);
    expect(kept).toEqual([]);
    expect(lost.map((message) => message.to)).toEqual(['slow', 'slow', 'slow']);
  }, 60_000);

  it('exits at once, with 1, on a second signal during the drain', async () => {
    const dir = folder({ shutdown: { timeoutMs: 60_000 } });
    const instance = await startInstance(cli, {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_TEST_SLOW_MS: '60000' }),
    });
    // Its connection ends with the process: the ask is never answered.
    const pending = ask(instance.url, 'slow', 'never answered');
    await mailboxDepth(instance.url, 'slow', 1);
    const started = Date.now();
    const exit = instance.stop('SIGTERM');
    await instance.waitForLog('Draining');
    instance.child.kill('SIGINT');
    expect(await exit).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(instance.lines.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'Second signal: exiting without waiting for the drain',
      signal: 'SIGINT',
    });
    expect(await pending).toEqual({ status: 0, body: { error: 'TypeError: fetch failed' } });
  }, 60_000);

  it('keeps what is left in a SQLite store, and the next start handles it', async () => {
    const dir = folder({
      shutdown: { timeoutMs: 300 },
      adapters: { persistence: { type: 'sqlite', file: './data/pantheon.db' } },
    });
    const first = await startInstance(cli, {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_TEST_SLOW_MS: '30000' }),
    });
    const asks = [ask(first.url, 'slow', 'a'), ask(first.url, 'slow', 'b')];
    await mailboxDepth(first.url, 'slow', 2);
    expect(await first.stop('SIGTERM')).toBe(1);
    await Promise.all(asks);
    const { report } = first.lines.find(
      (line) => line.msg === 'Shutdown left messages',
    ) as unknown as {
      report: { kept: { to: string }[]; lost: unknown[] };
    };
    expect(report.lost).toEqual([]);
    expect(report.kept.map((message) => message.to)).toEqual(['slow', 'slow']);

    // Restarted on the same file, the slow actor handles both kept messages.
    const second = await startInstance(cli, {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_TEST_SLOW_MS: '10' }),
    });
    await mailboxDepth(second.url, 'slow', 0);
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^pantheon_actor_ticks_total\{actor_name="slow",status="success"\} 2$/m,
    );
    expect(await second.stop('SIGTERM')).toBe(0);
  }, 90_000);

  describe('readiness with PostgreSQL and NATS', () => {
    const schema = testSchema();
    const stream = testStream();
    let proxy: CuttableProxy;
    let nats: OwnNatsServer;
    let instance: RunningInstance | undefined;
    let databaseUrl: string;

    beforeAll(async () => {
      const target = new URL(POSTGRES_URL);
      proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const port = await proxy.listen();
      nats = await OwnNatsServer.start();
      const url = new URL(POSTGRES_URL);
      url.port = String(port);
      databaseUrl = url.toString();
      const dir = folder({
        adapters: {
          persistence: { type: 'postgres', schema },
          bus: { type: 'nats', url: nats.url, stream },
        },
      });
      instance = await startInstance(cli, {
        cwd: dir,
        // The database URL from the environment, merged into the file's postgres section.
        env: cleanEnvironment({ PANTHEON_PERSISTENCE_URL: databaseUrl }),
      });
    }, 60_000);

    afterAll(async () => {
      await instance?.stop('SIGKILL');
      await proxy?.close();
      await deleteStreams([stream], nats.url).catch(() => undefined);
      await nats?.stop();
      await dropSchema(schema);
    });

    it('is ready only while the database and the bus answer', async () => {
      const base = instance!.url;
      const ready = await readiness(base, 200);
      expect(
        ready.checks.map((check: { name: string; ok: boolean }) => [check.name, check.ok]),
      ).toEqual([
        ['persistence', true],
        ['bus', true],
      ]);
      expect(ready.checks[0].description).toBe(`postgres ${databaseUrl} schema ${schema}`);
      expect(ready.checks[1].description).toBe(`nats ${nats.url} stream ${stream}`);
      const asked = await runCommand(cli, ['ask', 'echo', 'over NATS', '--url', base], {
        cwd: '/',
      });
      expect(asked).toMatchObject({
        code: 0,
        stdout: '[offline mock model] You said: over NATS\n',
      });

      proxy.cut();
      const noDatabase = await readiness(base, 503);
      expect(noDatabase.status).toBe('not ready');
      expect(noDatabase.checks[0]).toMatchObject({ name: 'persistence', ok: false });
      expect(noDatabase.checks[1]).toMatchObject({ name: 'bus', ok: true });
      // Liveness does not depend on the database.
      expect((await getJson(`${base}/healthz`)).status).toBe(200);
      const notReady = await runCommand(cli, ['health', '--ready', '--url', base], { cwd: '/' });
      expect(notReady.code).toBe(1);
      expect(notReady.stderr).toContain('readyz: not ready (HTTP 503)');

      proxy.restore();
      await readiness(base, 200);

      await nats.kill();
      const noBus = await readiness(base, 503);
      expect(noBus.checks[1]).toMatchObject({ name: 'bus', ok: false });
      await nats.restart();
      await readiness(base, 200);
      const again = await runCommand(cli, ['ask', 'echo', 'back again', '--url', base], {
        cwd: '/',
      });
      expect(again).toMatchObject({
        code: 0,
        stdout: '[offline mock model] You said: back again\n',
      });
    }, 90_000);
  });
});
