import type { ToolCallEvent } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAnalyst, startAnalyst } from './analyst.test-support';

let analyst: RunningAnalyst | undefined;
afterEach(async () => {
  await analyst?.pantheon.shutdown();
  analyst = undefined;
});

/** The offline app, recording each tool call and each runtime warning or error. */
async function offline() {
  const toolCalls: Array<Pick<ToolCallEvent, 'name' | 'args'> & { actorId: string }> = [];
  const logged: string[] = [];
  analyst = await startAnalyst(
    {},
    {
      hooks: {
        onToolCall: ({ actor, name, args }) => toolCalls.push({ actorId: actor.id, name, args }),
      },
      log: (message, meta) => {
        if (meta?.level === 'warn' || meta?.level === 'error') logged.push(message);
      },
    },
  );
  return { analyst, toolCalls, logged };
}

describe('the data analyst, offline on the scripted stand-in model', () => {
  it('runs on the scripted stand-in: the offline model of its configuration, not a language model', async () => {
    const { analyst } = await offline();
    expect(analyst.pantheon.config.adapters.llm).toEqual({ type: 'mock' });
    expect(analyst.pantheon.model).toBe("the app's offline model (no model is called)");
    expect(analyst.table.rows).toHaveLength(40);
    expect((await analyst.pantheon.listActors()).map((actor) => actor.id)).toEqual([
      'reporter',
      'analyst',
    ]);
  });

  it('answers a question with figures the query tool computed from the CSV', async () => {
    const { analyst, toolCalls, logged } = await offline();

    const answer = await analyst.ask('What was the total revenue by region?');

    expect(answer).toMatchObject({ from: 'analyst', to: 'user' });
    expect(answer.content).toBe(
      'Total revenue_eur by region: South 7,608.80, East 6,501.30, West 4,337.50, North 4,145.70 (40 of 40 rows).',
    );
    expect(toolCalls).toEqual([
      { actorId: 'analyst', name: 'describe-csv', args: {} },
      {
        actorId: 'analyst',
        name: 'query-csv',
        args: { aggregate: 'sum', column: 'revenue_eur', groupBy: 'region', order: 'desc' },
      },
    ]);
    expect(logged).toEqual([]);
  });

  it('filters rows by a number and by a text value the table holds', async () => {
    const { analyst } = await offline();
    expect((await analyst.ask('How many orders had more than 15 units?')).content).toBe(
      '13 of 40 rows match: units > 15.',
    );
    expect((await analyst.ask('What is the average revenue of sleeping bag orders?')).content).toBe(
      'The average revenue_eur where product = Sleeping bag is 1,016.56 (13 of 40 rows).',
    );
  });

  it('hands a chart request to the reporter, who answers the asker with the chart', async () => {
    const { analyst, toolCalls, logged } = await offline();

    const answer = await analyst.ask('Chart the units sold per product.');

    expect(answer).toMatchObject({ from: 'reporter', to: 'user' });
    expect(answer.content).toBe(
      [
        'Sum of units by product',
        `Lantern         ${'█'.repeat(30)} 156`,
        `Sleeping bag    ${'█'.repeat(28)} 147`,
        `Thermos         ${'█'.repeat(21)} 110`,
        `Tent, 2-person  ${'█'.repeat(5)} 24`,
      ].join('\n'),
    );
    expect(toolCalls.map(({ actorId, name }) => `${actorId} ${name}`)).toEqual([
      'reporter describe-csv',
      'reporter chart-csv',
    ]);
    // The analyst handed off and said nothing to the user itself.
    expect(await analyst.pantheon.getActorMessages('analyst')).toEqual([
      expect.objectContaining({ to: 'reporter', content: 'Chart the units sold per product.' }),
    ]);
    expect(logged).toEqual([]);
  });

  it('says what it can answer when the rules read no query from a question', async () => {
    const { analyst } = await offline();
    const answer = await analyst.ask('What is the weather in Oslo?');
    expect(answer.content).toContain('I am a scripted stand-in, not a language model');
    expect(answer.content).toContain('"What is the total revenue_eur by region?"');
  });
});
