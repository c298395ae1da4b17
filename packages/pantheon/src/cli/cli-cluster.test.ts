// `pantheon start` with a cluster section, as a user runs it: two processes of the built bin on
// the real NATS (127.0.0.1:4222) and PostgreSQL (a fresh schema, dropped afterwards) form one
// cluster; either answers for every actor, and SIGTERM hands one's partitions to the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteStreams,
  dropSchema,
  NATS_URL,
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

const schema = testSchema();
const name = testStream();
let cli: BuiltCli;
let folder: { dir: string; remove(): void };

beforeAll(async () => {
  cli = await buildCli();
  folder = appFolder({
    entry: TEST_APP,
    http: { port: 0 },
    adapters: {
      persistence: { type: 'postgres', url: POSTGRES_URL, schema },
      bus: { type: 'nats', url: NATS_URL },
    },
    // Both actors of the test app, echo and slow, are in partition 0 of 4.
    cluster: { name, partitions: 4 },
  });
}, 60_000);

afterAll(async () => {
  killChildren();
  folder?.remove();
  cli?.remove();
  await deleteStreams([name]);
  await dropSchema(schema);
});

interface ListedActor {
  id: string;
  started: boolean;
  mailboxDepth: number;
  partition: number;
  owner: string | null;
}

async function listActors(base: string): Promise<ListedActor[]> {
  const response = await fetch(`${base}/actors`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { actors: ListedActor[] }).actors;
}

/** Polls `/actors` of `base` until `check` passes; resolves the last listing. */
async function actorsUntil(
  base: string,
  check: (actors: ListedActor[]) => boolean,
): Promise<ListedActor[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const actors = await listActors(base);
    if (check(actors)) return actors;
    if (Date.now() > deadline) throw new Error(`/actors of ${base}: ${JSON.stringify(actors)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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

/** `pantheon_actor_ticks_total` of an actor in an instance's `/metrics` (0 when absent). */
async function ticks(base: string, actor: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = new RegExp(
    `^pantheon_actor_ticks_total\\{actor_name="${actor}",status="success"\\} (\\d+)$`,
    'm',
  ).exec(text);
  return line ? Number(line[1]) : 0;
}

describe('pantheon start with a cluster section', () => {
  it('runs one cluster in two processes: either answers and lists it; SIGTERM hands partitions over', async () => {
    const env = (node: string) =>
      cleanEnvironment({ PANTHEON_CLUSTER_NODE_ID: node, PANTHEON_TEST_SLOW_MS: '1500' });
    // Started together: both create the app's actors (reusing what the other stored) and start them.
    const [a, b] = await Promise.all([
      startInstance(cli, { cwd: folder.dir, env: env('node-a') }),
      startInstance(cli, { cwd: folder.dir, env: env('node-b') }),
    ]);
    const instances = new Map<string, RunningInstance>([
      ['node-a', a],
      ['node-b', b],
    ]);
    for (const [node, instance] of instances) {
      expect(instance.lines.find((line) => line.msg === 'Pantheon started')).toMatchObject({
        cluster: { name, node, member: true },
        resources: [
          { name: 'persistence', description: `postgres ${POSTGRES_URL} schema ${schema}` },
          { name: 'bus', description: `nats ${NATS_URL} stream ${name}` },
        ],
        actors: ['echo', 'slow'],
      });
      const ready = await fetch(`${instance.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ready',
        checks: [
          { name: 'persistence', ok: true },
          { name: 'bus', ok: true },
        ],
      });
    }

    // Either process answers for both actors, whichever runs them.
    for (const instance of [a, b]) {
      const answer = await runCommand(
        cli,
        ['ask', 'echo', `Hello ${instance.url}`, '--url', instance.url],
        { cwd: folder.dir },
      );
      expect(answer).toMatchObject({ code: 0, stderr: '' });
      expect(answer.stdout).toBe(`[offline mock model] You said: Hello ${instance.url}\n`);
    }
    const slow = await runCommand(cli, ['ask', 'slow', 'and you?', '--url', b.url], {
      cwd: folder.dir,
    });
    expect(slow.stdout).toBe('slow answer to: and you?\n');

    // Both list the cluster's actors, with the process that owns their partition.
    const listed = await actorsUntil(a.url, (actors) => actors.every((actor) => actor.owner));
    const owner = listed[0]!.owner!;
    const other = owner === 'node-a' ? 'node-b' : 'node-a';
    const expected = ['echo', 'slow'].map((id) => ({
      id,
      name: id,
      script: id,
      state: 'idle',
      started: true,
      mailboxDepth: 0,
      partition: 0,
      owner,
    }));
    for (const instance of [a, b]) {
      const json = await runCommand(cli, ['actors', '--json', '--url', instance.url], {
        cwd: folder.dir,
      });
      expect(JSON.parse(json.stdout)).toEqual(expected);
    }
    const table = await runCommand(cli, ['actors', '--url', b.url], { cwd: folder.dir });
    expect(table.stdout.split('\n').map((line) => line.split(/\s+/))).toEqual([
      ['ID', 'NAME', 'SCRIPT', 'STATE', 'RUNNING', 'MAILBOX', 'PARTITION', 'OWNER'],
      ['echo', 'echo', 'echo', 'idle', 'yes', '0', '0', owner],
      ['slow', 'slow', 'slow', 'idle', 'yes', '0', '0', owner],
      [''],
    ]);

    // Each process's metrics count the ticks it ran: the owner's all of them, the other's none.
    const owning = instances.get(owner)!;
    const surviving = instances.get(other)!;
    expect(await ticks(owning.url, 'echo')).toBe(2);
    expect(await ticks(surviving.url, 'echo')).toBe(0);
    expect(await (await fetch(`${surviving.url}/metrics`)).text()).toMatch(
      /^pantheon_mailbox_depth 0$/m,
    );

    // A question to the slow actor waits in its owner's mailbox when SIGTERM comes: the owner
    // answers it while handing over, then exits 0; the survivor takes partition 0.
    const inFlight = ask(surviving.url, 'slow', 'during the handover');
    await actorsUntil(surviving.url, (actors) =>
      actors.some((actor) => actor.id === 'slow' && actor.mailboxDepth === 1),
    );
    const exit = owning.stop('SIGTERM');
    expect(await inFlight).toEqual({
      status: 200,
      body: { reply: expect.objectContaining({ content: 'slow answer to: during the handover' }) },
    });
    expect(await exit, owning.output()).toBe(0);
    const draining = owning.lines.find((line) => line.msg === 'Draining');
    expect(draining).toMatchObject({ signal: 'SIGTERM', partitions: expect.arrayContaining([0]) });
    expect(owning.lines.at(-1)).toMatchObject({
      level: 'info',
      msg: 'Shutdown complete: every message was handled',
      report: { interrupted: [], kept: [], lost: [] },
      handedOver: draining!.partitions,
    });

    await actorsUntil(surviving.url, (actors) => actors.every((actor) => actor.owner === other));
    for (const [actor, answer] of [
      ['echo', '[offline mock model] You said: after the handover'],
      ['slow', 'slow answer to: after the handover'],
    ] as const) {
      const asked = await runCommand(
        cli,
        ['ask', actor, 'after the handover', '--url', surviving.url],
        { cwd: folder.dir },
      );
      expect(asked).toMatchObject({ code: 0, stdout: `${answer}\n`, stderr: '' });
    }
    expect(await ticks(surviving.url, 'echo')).toBe(1);

    expect(await surviving.stop('SIGTERM')).toBe(0);
    expect(surviving.lines.at(-1)).toMatchObject({
      msg: 'Shutdown complete: every message was handled',
      handedOver: [0, 1, 2, 3],
    });
    for (const instance of [a, b]) {
      expect(instance.lines.every((line) => line.level !== 'raw')).toBe(true);
      expect(instance.lines.filter((line) => line.level === 'error')).toEqual([]);
      expect(instance.stderr).toBe('');
    }
  }, 120_000);
});
