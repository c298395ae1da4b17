import { describe, expect, it } from 'vitest';
import { runQuickstart } from './weather-desk';

describe('quickstart demo', () => {
  it('answers the question through the tool and the offline model, then ticks passively', async () => {
    const lines: string[] = [];
    const report = await runQuickstart({ loopMs: 20, log: (line) => lines.push(line) });
    expect(report.sent[0]).toMatchObject({
      from: 'weather-desk-1',
      to: 'user',
      content: '[offline scripted model] Lima: 19°C, overcast',
    });
    expect(report.loopTicks).toBeGreaterThanOrEqual(3);
    expect(report.sent.slice(1).every((message) => message.to === 'ops')).toBe(true);
    expect(report.lastCheck).toEqual({ city: 'Oslo' });
    // question + answer, then per loop tick a tool call/result pair and the ops message
    expect(report.historySize).toBe(2 + 3 * report.loopTicks);
    expect(lines.some((line) => line.startsWith('[log]'))).toBe(false);
  });
});
