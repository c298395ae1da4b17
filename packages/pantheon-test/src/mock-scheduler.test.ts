import {
  type Behavior,
  ConfigError,
  makeOrchestrator,
  PantheonError,
} from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { createTestActor, createTestScript } from './fixtures';
import { createMockActorState } from './mock-actor-state';
import { MockContextAdapter } from './mock-context-adapter';
import { MockLlmAdapter } from './mock-llm-adapter';
import { createMockMessageBus } from './mock-message-bus';
import { createMockScheduler } from './mock-scheduler';
import { MockToolAdapter } from './mock-tool-adapter';
import { createTestClock } from './test-clock';

describe('createMockScheduler', () => {
  it('runs nothing until time advances, then each job at its due time in order', async () => {
    const scheduler = createMockScheduler({ start: 1_000 });
    const log: string[] = [];
    scheduler.once(30, () => {
      log.push(`a@${scheduler.now()}`);
    });
    scheduler.once(10, () => {
      log.push(`b@${scheduler.now()}`);
    });
    scheduler.once(10, () => {
      log.push(`c@${scheduler.now()}`);
    });
    expect(scheduler.pending()).toBe(3);
    expect(log).toEqual([]);

    await scheduler.advance(9);
    expect(log).toEqual([]);
    await scheduler.advance(21);
    expect(log).toEqual(['b@1010', 'c@1010', 'a@1030']);
    expect(scheduler.now()).toBe(1_030);
    expect(scheduler.pending()).toBe(0);
  });

  it('runs `every` jobs at each multiple of the interval and stops them', async () => {
    const scheduler = createMockScheduler();
    const times: number[] = [];
    const stop = scheduler.every(100, () => {
      times.push(scheduler.now());
    });
    await scheduler.advance(350);
    expect(times).toEqual([100, 200, 300]);
    stop();
    await scheduler.advance(1_000);
    expect(times).toEqual([100, 200, 300]);
    expect(scheduler.pending()).toBe(0);
  });

  it('never overlaps runs of the same `every` job: a run due while one is running is skipped', async () => {
    const scheduler = createMockScheduler();
    const starts: number[] = [];
    let running = 0;
    let maxRunning = 0;
    scheduler.every(10, async () => {
      starts.push(scheduler.now());
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((resolve) => scheduler.once(25, resolve));
      running--;
    });
    await scheduler.advance(100);
    expect(maxRunning).toBe(1);
    // Runs at 10 (busy until 35), 40 (until 65), 70 (until 95), 100.
    expect(starts).toEqual([10, 40, 70, 100]);
  });

  it('returns a cancel function from `once`', async () => {
    const scheduler = createMockScheduler();
    let ran = false;
    const cancel = scheduler.once(10, () => {
      ran = true;
    });
    cancel();
    cancel();
    await scheduler.advance(100);
    expect(ran).toBe(false);
    expect(scheduler.pending()).toBe(0);
  });

  it('resolves `advance` only after due jobs, the jobs they schedule and their promise chains settled', async () => {
    const scheduler = createMockScheduler();
    const log: string[] = [];
    scheduler.once(10, async () => {
      await Promise.resolve();
      await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
      log.push('first settled');
      scheduler.once(5, async () => {
        await Promise.resolve();
        log.push(`nested at ${scheduler.now()}`);
      });
      scheduler.once(50, () => {
        log.push('too late');
      });
    });
    await scheduler.advance(20);
    expect(log).toEqual(['first settled', 'nested at 15']);
    expect(scheduler.now()).toBe(20);
    expect(scheduler.pending()).toBe(1);
  });

  it('leaves a job waiting on a timer beyond the window pending, and finishes it later', async () => {
    const scheduler = createMockScheduler();
    const log: string[] = [];
    scheduler.once(10, async () => {
      await new Promise<void>((resolve) => scheduler.once(100, resolve));
      log.push(`woke at ${scheduler.now()}`);
    });
    await scheduler.advance(50);
    expect(log).toEqual([]);
    await scheduler.advance(60);
    expect(log).toEqual(['woke at 110']);
  });

  it('keeps job failures from stopping other jobs and reports them', async () => {
    const errors: unknown[] = [];
    const scheduler = createMockScheduler({ onJobError: (error) => errors.push(error) });
    let healthy = 0;
    scheduler.every(10, () => {
      throw new Error('sync failure');
    });
    scheduler.every(10, async () => {
      throw new Error('async failure');
    });
    scheduler.every(10, () => {
      healthy++;
    });
    await scheduler.advance(30);
    expect(healthy).toBe(3);
    expect(scheduler.getErrors()).toHaveLength(6);
    expect(errors).toHaveLength(6);
    expect(scheduler.pending()).toBe(3);
  });

  it('runAll runs one-shot chains to the end and stops a runaway', async () => {
    const scheduler = createMockScheduler();
    const times: number[] = [];
    const chain = (remaining: number) => () => {
      times.push(scheduler.now());
      if (remaining > 0) scheduler.once(1_000, chain(remaining - 1));
    };
    scheduler.once(500, chain(2));
    await scheduler.runAll();
    expect(times).toEqual([500, 1_500, 2_500]);

    const forever = () => {
      scheduler.once(1, forever);
    };
    scheduler.once(1, forever);
    await expect(scheduler.runAll({ maxRuns: 50 })).rejects.toMatchObject({
      code: 'SCHEDULER_RUNAWAY',
    });
  });

  it('rejects a zero-delay job loop instead of hanging', async () => {
    const scheduler = createMockScheduler();
    const spin = () => {
      scheduler.once(0, spin);
    };
    scheduler.once(0, spin);
    const error = await scheduler.advance(1).catch((caught: unknown) => caught);
    expect(PantheonError.isInstance(error) && error.code).toBe('SCHEDULER_RUNAWAY');
  });

  it('moves a shared clock, and reads it', async () => {
    const clock = createTestClock(5_000);
    const scheduler = createMockScheduler({ clock });
    let seen = 0;
    scheduler.once(100, () => {
      seen = clock.now();
    });
    await scheduler.advance(100);
    expect(seen).toBe(5_100);
    clock.advance(1_000);
    expect(scheduler.now()).toBe(6_100);
  });

  it('reset cancels every job', async () => {
    const scheduler = createMockScheduler();
    let runs = 0;
    scheduler.every(10, () => {
      runs++;
    });
    scheduler.once(5, () => {
      runs++;
    });
    scheduler.reset();
    await scheduler.advance(100);
    expect(runs).toBe(0);
    expect(scheduler.pending()).toBe(0);
  });

  describe('bad input is a ConfigError at the call', () => {
    const scheduler = createMockScheduler();
    it.each([
      ['every(0)', () => scheduler.every(0, () => {})],
      ['every(NaN)', () => scheduler.every(Number.NaN, () => {})],
      ['once(-1)', () => scheduler.once(-1, () => {})],
      ['once without a function', () => scheduler.once(10, 'job' as never)],
      ['every without a function', () => scheduler.every(10, undefined as never)],
      ['advance(-5)', () => scheduler.advance(-5)],
      [
        'start and clock together',
        () => createMockScheduler({ start: 1, clock: createTestClock() }),
      ],
    ])('%s', (_, call) => {
      expect(call).toThrow(ConfigError);
      expect(call).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    });
  });
});

describe('createTestClock', () => {
  it('starts where told and only moves when told', () => {
    const clock = createTestClock(42);
    const { now } = clock;
    expect(now()).toBe(42);
    expect(clock.advance(8)).toBe(50);
    clock.set(10);
    expect(now()).toBe(10);
    expect(() => clock.advance(-1)).toThrow(ConfigError);
    expect(() => createTestClock(Number.NaN)).toThrow(ConfigError);
  });
});

describe('the orchestrator on virtual time', () => {
  function setUp(...behaviors: Behavior[]) {
    const scheduler = createMockScheduler();
    const actor = createTestActor({
      id: 'looper',
      script: createTestScript({ talents: [{ name: 'loop', behaviors }] }),
    });
    const state = createMockActorState({ actors: [actor], now: scheduler.now });
    const orchestrator = makeOrchestrator({
      now: scheduler.now,
      log: () => {},
      context: new MockContextAdapter(),
      tools: new MockToolAdapter({ scheduler }),
      llm: new MockLlmAdapter(),
      bus: createMockMessageBus(),
      schedule: scheduler,
      state,
    });
    return { scheduler, actor, state, orchestrator };
  }

  it('ticks an actor loop exactly 60 times in an hour of virtual time', async () => {
    const ticks: number[] = [];
    const { scheduler, actor, state, orchestrator } = setUp({
      name: 'heartbeat',
      mode: 'passive',
      plan: () => {
        ticks.push(scheduler.now());
        return { actions: [] };
      },
    });
    const started = performance.now();
    const stop = orchestrator.startActorLoop(actor, 60_000);
    await scheduler.advance(3_600_000);
    stop();
    expect(performance.now() - started).toBeLessThan(2_000);

    expect(ticks).toHaveLength(60);
    expect(ticks[0]).toBe(60_000);
    expect(ticks.at(-1)).toBe(3_600_000);
    expect(state.getUpdates(actor.id)).toHaveLength(120); // running, then idle, per tick
    expect((await state.get(actor.id))?.state).toBe('idle');
    await scheduler.advance(3_600_000);
    expect(ticks).toHaveLength(60);
  });

  it('runs `wait` actions on the scheduler and skips loop ticks while one is still running', async () => {
    const ticks: number[] = [];
    const finished: number[] = [];
    const { scheduler, actor, orchestrator } = setUp(
      {
        name: 'slow',
        mode: 'passive',
        plan: () => {
          ticks.push(scheduler.now());
          return { actions: [{ type: 'wait', duration: 90_000, reason: 'rate limit' }] };
        },
      },
      {
        name: 'after-wait',
        mode: 'passive',
        plan: () => {
          finished.push(scheduler.now());
          return { actions: [] };
        },
      },
    );
    const stop = orchestrator.startActorLoop(actor, 60_000);
    await scheduler.advance(3_600_000);
    stop();
    // A tick starts at 60 s and waits until 150 s; the one due at 120 s is skipped; and so on.
    expect(ticks).toHaveLength(30);
    expect(ticks.slice(0, 3)).toEqual([60_000, 180_000, 300_000]);
    expect(finished.slice(0, 2)).toEqual([150_000, 270_000]);
    // The last tick (started at 3,540 s) is still waiting at the end of the hour.
    expect(finished).toHaveLength(29);
  });
});
