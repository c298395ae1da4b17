import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, POSTGRES_URL, quietScript, testSchema } from './backends.test-support';
import { pairIds } from './crash-child.test-support';
import { openPostgresPersistence, openSqlitePersistence, type Persistence } from './persistence';
import { ScriptRegistry } from './script-registry';
import { SqliteDriver } from './sqlite-driver';

const MESSAGES = 1_000;
const child = fileURLToPath(new URL('./crash-child.test-support.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pantheon-crash-'));
const schemas: string[] = [];

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema);
});

/** A small seeded generator, so a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The data parts of the child's scripts: enough to spawn and load actors here. */
const scripts = () =>
  new ScriptRegistry().register(quietScript('crash-a')).register(quietScript('crash-b'));

interface Scenario {
  open(): Promise<Persistence>;
  childArgs: string[];
  log: string;
}

/** `pairs`: run `a-<n>` → `b-<n>` pairs instead of `a` → `b` (the child's argument). */
function sqliteScenario(seed: number, pairs?: number): Scenario {
  const file = join(dir, `crash-${seed}.sqlite`);
  const log = join(dir, `crash-${seed}.log`);
  return {
    open: () => openSqlitePersistence({ file, scripts: scripts() }),
    childArgs: ['sqlite', file, log, ...(pairs === undefined ? [] : [String(pairs)])],
    log,
  };
}

function postgresScenario(seed: number, pairs?: number): Scenario {
  const schema = testSchema();
  schemas.push(schema);
  const log = join(dir, `crash-pg-${seed}.log`);
  return {
    open: () =>
      openPostgresPersistence({ connectionString: POSTGRES_URL, schema, scripts: scripts() }),
    childArgs: [
      'postgres',
      POSTGRES_URL,
      schema,
      log,
      ...(pairs === undefined ? [] : [String(pairs)]),
    ],
    log,
  };
}

function startChild(args: string[]): { process: ChildProcess; exit: Promise<number | null> } {
  const started = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', child, ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  started.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve) =>
    started.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { process: started, exit };
}

/**
 * Sends `MESSAGES` to the senders (round robin; each forwards to its receiver), SIGKILLs the
 * child at a seeded point, restarts it and checks every message was handled exactly once in
 * effect. `pairs` spreads the messages over that many sender/receiver pairs, whose commits then
 * meet in shared transactions (group commit).
 */
async function runScenario(scenario: Scenario, seed: number, pairs?: number): Promise<void> {
  const next = random(seed);
  const store = await scenario.open();
  const { senders, receivers } = pairIds(pairs);
  const senderOf = (index: number) => senders[index % senders.length]!;
  try {
    for (const id of senders) await store.actors.spawn(quietScript('crash-a'), 'count', { id });
    for (const id of receivers) await store.actors.spawn(quietScript('crash-b'), 'count', { id });
    await Promise.all(
      Array.from({ length: MESSAGES }, (_, index) =>
        store.mailbox.enqueue({
          id: `m-${index}`,
          from: 'user',
          to: senderOf(index),
          content: `msg ${index}`,
        }),
      ),
    );
    writeFileSync(scenario.log, '');
    writeFileSync(`${scenario.log}.charges`, '');

    // Kill the first process with SIGKILL somewhere between 5% and 95% of the 2,000 ticks.
    const killAfter = Math.floor(100 + next() * 1_800);
    const first = startChild(scenario.childArgs);
    let exited = false;
    void first.exit.then(() => {
      exited = true;
    });
    while (!exited) {
      const { acknowledged } = await store.mailbox.stats();
      if (acknowledged >= killAfter) {
        first.process.kill('SIGKILL');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5 + next() * 10));
    }
    expect(await first.exit, 'the first process must die by SIGKILL, not finish').toBeNull();
    const atCrash = await store.mailbox.stats();
    expect(atCrash.acknowledged).toBeLessThan(2 * MESSAGES);

    const second = startChild(scenario.childArgs);
    expect(await second.exit).toBe(0);

    // Every message handled exactly once in effect.
    expect(await store.mailbox.stats()).toEqual({
      pending: 0,
      acknowledged: 2 * MESSAGES,
      unpublished: 0,
    });
    for (const [position, id] of senders.entries()) {
      const handled = Math.ceil((MESSAGES - position) / senders.length);
      expect(await store.context.read('count', { actorId: id })).toBe(handled);
      expect(await store.context.read('count', { actorId: receivers[position]! })).toBe(handled);
    }
    const expectedOutbound = new Set<string>();
    for (let index = 0; index < MESSAGES; index++) {
      expectedOutbound.add(`m-${index}:0`);
      expectedOutbound.add(`m-${index}:1:0`);
    }
    const outbox = await store.driver.all<{ id: string }>('SELECT id FROM pantheon_outbox');
    expect(outbox).toHaveLength(2 * MESSAGES);
    expect(new Set(outbox.map((row) => row.id))).toEqual(expectedOutbound);
    const mailboxIds = await store.driver.all<{ id: string }>('SELECT id FROM pantheon_mailbox');
    expect(mailboxIds).toHaveLength(2 * MESSAGES);

    // Published at least once; a repeat keeps its id, so receivers can de-duplicate.
    const published = readFileSync(scenario.log, 'utf8').split('\n').filter(Boolean);
    expect(new Set(published)).toEqual(expectedOutbound);
    expect(published.length - expectedOutbound.size).toBeLessThanOrEqual(2 * MESSAGES);

    // The once tool charged every message, and again only if the SIGKILL fell between a charge
    // and its record (a tick replayed without the `once` record would charge its message again):
    // at most once per receiver, each ticking one message at a time.
    const charges = readFileSync(`${scenario.log}.charges`, 'utf8').split('\n').filter(Boolean);
    const expectedCharges = new Set(
      Array.from({ length: MESSAGES }, (_, index) => `m-${index}:1:tool:0`),
    );
    expect(new Set(charges)).toEqual(expectedCharges);
    expect(charges.length - expectedCharges.size).toBeLessThanOrEqual(receivers.length);
    const recorded = await store.driver.all<{ key: string }>(
      'SELECT key FROM pantheon_tool_effects',
    );
    expect(recorded).toHaveLength(MESSAGES);

    // History: each input once, in order, with both answers.
    for (const [position, sender] of senders.entries()) {
      const inputs = Array.from({ length: MESSAGES }, (_, index) => index)
        .filter((index) => senderOf(index) === sender)
        .map((index) => `msg ${index}`);
      const historyA = await store.context.getHistory(sender);
      expect(historyA).toHaveLength(3 * inputs.length);
      expect(
        historyA.filter((entry) => entry.role === 'user').map((entry) => entry.content),
      ).toEqual(inputs);
      const historyB = await store.context.getHistory(receivers[position]!);
      expect(historyB).toHaveLength(4 * inputs.length); // input, answer, charge call and result
      const fromA = historyB.filter((entry) => entry.role === 'user');
      expect(fromA.map((entry) => entry.content)).toEqual(inputs);
      expect(fromA.every((entry) => entry.name === sender)).toBe(true);
    }
    for (const id of [...senders, ...receivers]) {
      const actor = await store.actors.get(id);
      expect(actor?.state).toBe('idle');
      expect(actor?.metadata?.lastTick).toBeDefined();
    }
    if (store.driver instanceof SqliteDriver) {
      const [check] = await store.driver.all<{ integrity_check: string }>('PRAGMA integrity_check');
      expect(check?.integrity_check).toBe('ok');
    }
  } finally {
    await store.close();
  }
}

describe('crash safety: SIGKILL during 1,000 messages, then restart', () => {
  for (const seed of [1, 2, 3]) {
    it(`SQLite, seed ${seed}: nothing lost, nothing done twice`, async () => {
      await runScenario(sqliteScenario(seed), seed);
    }, 40_000);
  }
  for (const seed of [11, 12]) {
    it(`PostgreSQL, seed ${seed}: nothing lost, nothing done twice`, async () => {
      await runScenario(postgresScenario(seed), seed);
    }, 120_000);
  }
});

describe('crash safety: SIGKILL during group commits of 100 actors, then restart', () => {
  it('SQLite, seed 21: nothing lost, nothing done twice', async () => {
    await runScenario(sqliteScenario(21, 50), 21, 50);
  }, 60_000);
  it('PostgreSQL, seed 31: nothing lost, nothing done twice', async () => {
    await runScenario(postgresScenario(31, 50), 31, 50);
  }, 120_000);
});
