import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@promethean-os/pantheon-core';
import {
  openSqlitePersistence,
  type Persistence,
  ScriptRegistry,
} from '@promethean-os/pantheon-persistence';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chargeTool,
  DESK_LIMITS,
  deskMessages,
  deskSetup,
  frontScript,
  helperScript,
  workerScript,
} from './desk-scenario.test-support';
import { SimulationFailure, simulate } from './simulate';
import type { SimulationOptions } from './types';

const scripts = () =>
  new ScriptRegistry().register(frontScript).register(workerScript).register(helperScript);

/** The desk, in memory, with the default faults. */
function desk(seed: number, overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  return {
    seed,
    setup: deskSetup,
    messages: deskMessages,
    tools: [chargeTool([])],
    limits: DESK_LIMITS,
    supervision: { backoffMs: 50 },
    ...overrides,
  };
}

/** The desk on one in-memory SQLite database, which every process of the run opens again. */
async function onSqlite<T>(
  seed: number,
  run: (options: SimulationOptions) => Promise<T>,
  overrides: Partial<SimulationOptions> = {},
): Promise<T> {
  let db: Persistence | undefined;
  try {
    return await run(
      desk(seed, {
        store: async () =>
          (db ??= await openSqlitePersistence({ file: ':memory:', scripts: scripts() })),
        ...overrides,
      }),
    );
  } finally {
    await db?.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pantheon-simulation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate', () => {
  it('holds every invariant over 500 seeds: 400 in memory and 100 on SQLite', async () => {
    const started = performance.now();
    const totals: Record<string, number> = {};
    const add = (stats: Readonly<Record<string, number>>) => {
      for (const [name, value] of Object.entries(stats)) totals[name] = (totals[name] ?? 0) + value;
    };
    for (let seed = 1; seed <= 400; seed++) add((await simulate(desk(seed))).stats);
    for (let seed = 1; seed <= 100; seed++) add((await onSqlite(seed, simulate)).stats);
    const seconds = (performance.now() - started) / 1000;
    console.log(`500 seeds in ${seconds.toFixed(1)} s`, totals);
    // The faults really happened, and the runtime met them.
    for (const name of [
      'crashes',
      'outages',
      'restarts',
      'dead letters',
      'tool effects',
      'removals',
    ]) {
      expect(totals[name], name).toBeGreaterThan(10);
    }
    // About 40 s on a shared 2-core machine under load; the bound only catches a runaway.
    expect(seconds).toBeLessThan(150);
  }, 180_000);

  it('keeps conversations over their budget stopped, across 100 seeds with three long conversations', async () => {
    // Every message continues one of three conversations, each allowed 6 model and tool calls.
    const continuing: SimulationOptions['messages'] = (context) => ({
      ...deskMessages(context),
      conversationId: `c-${context.random.int(1, 3)}`,
    });
    let exceeded = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const report = await simulate(
        desk(seed, { messages: continuing, budget: { modelCalls: 6, toolCalls: 6 } }),
      );
      exceeded += report.stats['budgets exceeded'] ?? 0;
    }
    expect(exceeded).toBeGreaterThan(50);
  }, 120_000);

  it('replays a seed exactly: the same trace line for line, in memory and on SQLite', async () => {
    const first = await simulate(desk(7));
    const second = await simulate(desk(7));
    expect(second.trace).toEqual(first.trace);
    expect(first.trace.length).toBeGreaterThan(50);
    const other = await simulate(desk(8));
    expect(other.trace).not.toEqual(first.trace);

    const durable = await onSqlite(7, simulate);
    expect((await onSqlite(7, simulate)).trace).toEqual(durable.trace);
    expect(durable.trace.some((line) => line.includes('crash'))).toBe(true);
  });

  it('crashes and restarts on a SQLite file, each process opening its own connection', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const file = join(dir, `desk-${seed}.sqlite`);
      const opened: Persistence[] = [];
      try {
        const report = await simulate(
          desk(seed, {
            faults: { crash: 0.2 },
            store: async () => {
              const db = await openSqlitePersistence({ file, scripts: scripts() });
              opened.push(db);
              return db;
            },
          }),
        );
        expect(opened.length).toBe(1 + (report.stats.crashes ?? 0));
      } finally {
        for (const db of opened) await db.close();
      }
    }
  });

  it('fails with the seed, the invariant and the last steps, and the seed reproduces the failure', async () => {
    // A user invariant the desk breaks sooner or later: a worker never charges an order twice.
    // Without `once`, a payment tool run again by a retried tick charges again.
    const options = (seed: number): SimulationOptions => {
      const charges: string[] = [];
      return desk(seed, {
        tools: [chargeTool(charges, false)],
        invariants: [
          {
            name: 'an order is charged once',
            check: () => {
              const twice = charges.find((order, index) => charges.indexOf(order) !== index);
              return twice === undefined ? undefined : `order ${twice} was charged twice`;
            },
          },
        ],
        traceLength: 10,
      });
    };
    let failure: SimulationFailure | undefined;
    for (let seed = 1; seed <= 200 && !failure; seed++) {
      failure = await simulate(options(seed)).then(
        () => undefined,
        (error: unknown) => error as SimulationFailure,
      );
    }
    expect(failure).toBeInstanceOf(SimulationFailure);
    const caught = failure!;
    expect(caught.invariant).toBe('an order is charged once');
    expect(caught.message).toContain(`with seed ${caught.seed}`);
    expect(caught.message).toContain('Last 10 trace lines:');
    expect(caught.message.split('\n').filter((line) => line.startsWith('  #'))).toHaveLength(10);
    console.log(caught.message);

    const again = await simulate(options(caught.seed)).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(SimulationFailure);
    expect((again as SimulationFailure).step).toBe(caught.step);
    expect((again as SimulationFailure).violation).toBe(caught.violation);
    expect((again as SimulationFailure).trace).toEqual(caught.trace);
  });

  it('rejects bad options with INVALID_ARGUMENT, naming each problem', async () => {
    const bad = simulate({
      seed: 1.5,
      setup: deskSetup,
      steps: -1,
      faults: { llmError: -1 },
    });
    await expect(bad).rejects.toBeInstanceOf(ConfigError);
    await expect(bad).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/seed must be an integer.*steps must.*faults\.llmError/),
    });
    await expect(simulate(desk(1, { setup: async () => {} }))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('setup created no actor'),
    });
  });
});
