// The example as a Pantheon app, end to end: the built `pantheon` bin runs `pantheon start` in the
// example folder (its pantheon.config.ts, then src/app.ts), and `pantheon ask` / `pantheon
// actors` talk to it over HTTP, offline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltCli,
  buildCli,
  cleanEnvironment,
  killChildren,
  type RunningInstance,
  runCommand,
  startInstance,
} from '../../../packages/pantheon/src/cli/built-cli.test-support';
import { EXAMPLE_DIR } from './analyst.test-support';

let cli: BuiltCli;
const dir = mkdtempSync(join(tmpdir(), 'pantheon-data-analyst-start-'));

beforeAll(async () => {
  cli = await buildCli();
}, 60_000);

afterAll(() => {
  killChildren();
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment of `pantheon <args>`: offline, on a free port, the bundled CSV. */
function environment(extra: Record<string, string> = {}) {
  return cleanEnvironment({ PANTHEON_PORT: '0', DATA_ANALYST_CSV: '', ...extra });
}

describe('pantheon start in examples/data-analyst', () => {
  let instance: RunningInstance;

  afterAll(async () => {
    if (instance?.child.exitCode === null) await instance.stop();
  });

  it('starts the app of pantheon.config.ts on the offline stand-in and answers pantheon ask', {
    timeout: 60_000,
  }, async () => {
    instance = await startInstance(cli, { cwd: EXAMPLE_DIR, env: environment() });
    const started = await instance.waitForLog('Pantheon started');
    expect(started).toMatchObject({
      entry: join(EXAMPLE_DIR, 'src/app.ts'),
      model: "the app's offline model (no model is called)",
      actors: ['reporter', 'analyst'],
    });
    const client = { cwd: EXAMPLE_DIR, env: environment() };
    const url = ['--url', instance.url];

    const answer = await runCommand(
      cli,
      ['ask', 'analyst', 'What was the total revenue by region?', ...url],
      client,
    );
    expect(answer).toEqual({
      code: 0,
      stdout:
        'Total revenue_eur by region: South 7,608.80, East 6,501.30, West 4,337.50, North 4,145.70 (40 of 40 rows).\n',
      stderr: '',
    });

    // A chart request is handed to the reporter, whose answer comes back to the asker.
    const chart = await runCommand(
      cli,
      ['ask', 'analyst', 'Chart the units sold per product.', '--json', ...url],
      client,
    );
    expect(chart.code).toBe(0);
    const reply = JSON.parse(chart.stdout) as { from: string; content: string };
    expect(reply.from).toBe('reporter');
    expect(reply.content.split('\n')[0]).toBe('Sum of units by product');
    expect(reply.content).toContain(`Lantern         ${'█'.repeat(30)} 156`);

    const actors = await runCommand(cli, ['actors', '--json', ...url], client);
    expect(actors.code).toBe(0);
    expect(
      (JSON.parse(actors.stdout) as Array<{ id: string; started: boolean }>).map(
        ({ id, started }) => ({ id, started }),
      ),
    ).toEqual([
      { id: 'reporter', started: true },
      { id: 'analyst', started: true },
    ]);

    expect(await instance.stop()).toBe(0);
    expect(instance.lines.at(-1)?.msg).toBe('Shutdown complete: every message was handled');
  });

  it('stops with CSV_INVALID, naming the file and line, for a malformed DATA_ANALYST_CSV', {
    timeout: 60_000,
  }, async () => {
    const file = join(dir, 'ragged.csv');
    writeFileSync(file, 'region,units\nNorth,3\nSouth\n');
    const result = await runCommand(cli, ['start'], {
      cwd: EXAMPLE_DIR,
      env: environment({ DATA_ANALYST_CSV: file }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `pantheon: ${file}:3: the row has 1 field; the header has 2 columns [CSV_INVALID]\n`,
    );
  });
});
