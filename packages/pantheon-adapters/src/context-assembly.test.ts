import type { Message } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { assembleContext, estimateTokens, inputMessages } from './context-assembly';

const system = (content: string): Message => ({ role: 'system', content });
const ranked = (content: string, score: number) => ({ message: system(content), score });

describe('assembleContext', () => {
  const parts = {
    sources: [system('s1'), system('s2')],
    retrieved: [ranked('high', 3), ranked('low', 1), ranked('tie-a', 2), ranked('tie-b', 2)],
    history: [system('old'), system('new')],
    inputs: inputMessages(['in'], 'peer'),
  };
  const contents = (messages: Message[]) => messages.map((message) => message.content);

  it('concatenates in output order without a budget', () => {
    expect(contents(assembleContext(parts))).toEqual([
      's1',
      's2',
      'high',
      'low',
      'tie-a',
      'tie-b',
      'old',
      'new',
      'in',
    ]);
  });

  it('drops the lowest score first (ties: the later one), then oldest history, then last sources', () => {
    const at = (limit: number) => contents(assembleContext(parts, { limit }));
    expect(at(8)).toEqual(['s1', 's2', 'high', 'tie-a', 'tie-b', 'old', 'new', 'in']);
    expect(at(7)).toEqual(['s1', 's2', 'high', 'tie-a', 'old', 'new', 'in']);
    expect(at(5)).toEqual(['s1', 's2', 'old', 'new', 'in']);
    expect(at(3)).toEqual(['s1', 's2', 'in']);
    expect(at(2)).toEqual(['s1', 'in']);
  });

  it('keeps the input even when it alone is over budget, and applies every bound given', () => {
    expect(contents(assembleContext(parts, { maxChars: 1 }))).toEqual(['in']);
    expect(contents(assembleContext(parts, { maxTokens: 4 }))).toEqual(['s1', 's2', 'new', 'in']);
    expect(contents(assembleContext(parts, { limit: 10, maxChars: 6 }))).toEqual([
      's1',
      's2',
      'in',
    ]);
    expect(estimateTokens('12345')).toBe(2);
    expect(inputMessages(['a'], 'peer')).toEqual([
      { role: 'user', content: 'a', name: 'peer', metadata: { source: 'input' } },
    ]);
  });
});
