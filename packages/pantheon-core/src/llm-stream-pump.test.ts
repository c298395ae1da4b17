import { describe, expect, it } from 'vitest';
import { type LlmStreamAccumulator, pumpLlmStream } from './llm-stream-pump';
import type { LlmStreamEvent } from './ports/llm-port';

/** Provider events are text pieces; the reply is their concatenation. */
function textAccumulator(): LlmStreamAccumulator<string> {
  let text = '';
  return {
    push: (piece) => {
      text += piece;
      return [{ type: 'text-delta', delta: piece }];
    },
    finish: () => [{ type: 'finish', message: { role: 'assistant', content: text } }],
  };
}

async function* provider(pieces: string[], failure?: Error) {
  for (const piece of pieces) yield piece;
  if (failure) throw failure;
}

function pump(events: AsyncIterable<string>, signal?: AbortSignal) {
  const aborts: number[] = [];
  const stream = pumpLlmStream(events, textAccumulator(), {
    signal,
    toError: (error) => new Error(`mapped: ${error instanceof Error ? error.message : error}`),
    abort: () => aborts.push(1),
  });
  return { stream, aborts };
}

async function collect(events: AsyncIterable<LlmStreamEvent>) {
  const collected: LlmStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

describe('pumpLlmStream', () => {
  it('yields the events of each provider event, then finish, and leaves the response alone', async () => {
    const { stream, aborts } = pump(provider(['Hel', 'lo']));
    expect(await collect(stream)).toEqual([
      { type: 'text-delta', delta: 'Hel' },
      { type: 'text-delta', delta: 'lo' },
      { type: 'finish', message: { role: 'assistant', content: 'Hello' } },
    ]);
    expect(aborts).toHaveLength(0);
  });

  it('throws a failure of the provider stream through toError and closes the response', async () => {
    const { stream, aborts } = pump(provider(['Hel'], new Error('socket hang up')));
    const received: LlmStreamEvent[] = [];
    await expect(
      (async () => {
        for await (const event of stream) received.push(event);
      })(),
    ).rejects.toThrow('mapped: socket hang up');
    expect(received).toEqual([{ type: 'text-delta', delta: 'Hel' }]);
    expect(aborts).toHaveLength(1);
  });

  it('throws the abort reason when the SDK ends the iteration quietly after an abort', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user left'));
    const { stream, aborts } = pump(provider(['Hel']), controller.signal);
    await expect(collect(stream)).rejects.toThrow('mapped: user left');
    expect(aborts).toHaveLength(1);
  });

  it('closes the response when the consumer stops early', async () => {
    const { stream, aborts } = pump(provider(['Once', ' upon', ' a time']));
    for await (const event of stream) {
      expect(event).toEqual({ type: 'text-delta', delta: 'Once' });
      break;
    }
    expect(aborts).toHaveLength(1);
  });
});
