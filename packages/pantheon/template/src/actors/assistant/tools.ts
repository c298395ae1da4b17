import { defineTool } from '@promethean-os/pantheon-core';
import { z } from 'zod';

export const CURRENT_TIME = 'current-time';

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** `date` in `timeZone` as `Sunday 2026-03-01 21:00 (Asia/Tokyo)`. */
export function formatTime(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} (${timeZone})`;
}

/**
 * `current-time`: the date and time now in a time zone. The tool port checks the arguments
 * against the schema before `execute` runs: an unknown zone goes back to the model as an error.
 * `now` is the clock (fixed in tests).
 */
export function currentTimeTool(now: () => Date = () => new Date()) {
  return defineTool({
    name: CURRENT_TIME,
    description: 'The current date and time in a time zone',
    parameters: z.object({
      timeZone: z
        .string()
        .refine(isTimeZone, 'expected an IANA time zone, e.g. Europe/Paris')
        .describe('IANA time zone, e.g. Europe/Paris, America/New_York, Asia/Tokyo'),
    }),
    execute: ({ timeZone }) => formatTime(now(), timeZone),
  });
}
